package dev.forkwise.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.Console;
import java.io.PrintWriter;

/**
 * Where a long command says what it is doing now: a progress bar that disappears when the work is
 * done, so that a terminal keeps only results ({@link #bar}), or plain lines when the output is not
 * a terminal ({@link #lines}), a log or a test's buffer.
 *
 * <p>One {@code Progress} covers one piece of work (an experiment, a benchmark, a task's
 * measurement); {@link #close} ends it. Not thread-safe: one thread steps it.
 */
public interface Progress extends AutoCloseable {

    /**
     * Says what runs now, and counts a step done.
     *
     * @param what a few words, for example {@code "Pool.threads(4)"}
     */
    void step(String what);

    /** Ends this piece of work: a bar leaves the screen. */
    @Override
    void close();

    /**
     * Progress as plain lines, one per step, each {@code " <what> ..."}.
     *
     * @param out where
     * @return the progress
     */
    static Progress lines(PrintWriter out) {
        return new Progress() {
            @Override
            public void step(String what) {
                out.println("  " + what + " ...");
                out.flush();
            }

            @Override
            public void close() {}
        };
    }

    /**
     * Progress that says nothing.
     *
     * @return the progress
     */
    static Progress silent() {
        return new Progress() {
            @Override
            public void step(String what) {}

            @Override
            public void close() {}
        };
    }

    /**
     * A progress bar on standard error (me.tongfei's progressbar) for work of {@code steps} steps,
     * with the current step's words beside it, erased when closed.
     *
     * @param task the bar's name
     * @param steps how many steps the work takes, or -1 if unknown
     * @return the progress
     */
    static Progress bar(String task, int steps) {
        ProgressBar bar =
                new ProgressBarBuilder()
                        .setTaskName(task)
                        .setInitialMax(steps)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(100)
                        .setMaxRenderedLength(100)
                        .continuousUpdate()
                        .hideEta()
                        .clearDisplayOnFinish()
                        .build();
        return new Progress() {
            private boolean first = true;

            @Override
            public void step(String what) {
                if (!first) {
                    bar.step();
                }
                first = false;
                bar.setExtraMessage(what);
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }

    /**
     * Whether standard output is a terminal a person watches, so that bars are worth drawing: a
     * console that is a terminal, or the system property {@value #TERMINAL} set by a parent command
     * whose own output is one (a child JVM's output is a pipe to its parent).
     *
     * @return true on an interactive terminal
     */
    static boolean onTerminal() {
        Console c = System.console();
        return Boolean.getBoolean(TERMINAL) || (c != null && c.isTerminal());
    }

    /** The system property that tells a child JVM its parent's output is a terminal. */
    String TERMINAL = "forkwise.terminal";
}
