package dev.forkwise.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Copies a worker's stdout or stderr to the parent's, line by line, each line prefixed with the
 * worker's pid, and remembers the last lines (for {@link dev.forkwise.WorkerCrashedException}).
 *
 * <p>Two kinds of line are noticed on the way: the worker's {@link #EXIT_MARK}, written by a
 * shutdown hook (so the JVM exited through {@code System.exit}, and its exit code is a code, not a
 * signal; the mark itself is not copied), and the JVM's fatal-error banner (the {@code #} lines
 * after "A fatal error has been detected"), which the JVM writes to stdout whatever its options,
 * and which a crash report needs. Runs on a platform daemon thread (a blocking pipe read, see
 * {@link Daemons}); a worker's output never touches the task channel.
 */
final class OutputPump {

    static final int KEPT_LINES = 20;

    /**
     * What a worker's shutdown hook writes to its stderr as it exits through {@code System.exit}.
     */
    static final String EXIT_MARK = "\u0000forkwise:orderly-exit\u0000";

    private static final String BANNER =
            "# A fatal error has been detected by the Java Runtime Environment";
    private static final int BANNER_LINES = 40;

    private final ArrayDeque<String> last = new ArrayDeque<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final List<String> banner = new ArrayList<>();
    private volatile String prefix;
    private volatile boolean orderlyExit;

    private OutputPump(String prefix) {
        this.prefix = prefix;
    }

    static OutputPump start(InputStream in, Supplier<PrintStream> to, String prefix, String name) {
        OutputPump p = new OutputPump(prefix);
        Daemons.start(name, () -> p.run(in, to));
        return p;
    }

    /** Changes the prefix of the lines to come. */
    void prefix(String newPrefix) {
        prefix = newPrefix;
    }

    private void run(InputStream in, Supplier<PrintStream> to) {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(in, Charset.defaultCharset()))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.endsWith(EXIT_MARK)) {
                    orderlyExit = true;
                    line = line.substring(0, line.length() - EXIT_MARK.length());
                    if (line.isEmpty()) {
                        continue;
                    }
                }
                synchronized (last) {
                    if (line.startsWith(BANNER)
                            || (!banner.isEmpty()
                                    && line.startsWith("#")
                                    && banner.size() < BANNER_LINES)) {
                        banner.add(line);
                    }
                    if (last.size() == KEPT_LINES) {
                        last.removeFirst();
                    }
                    last.addLast(line);
                }
                PrintStream out = to.get();
                out.println(prefix + line);
            }
        } catch (IOException ignored) {
            // the worker is gone
        } finally {
            ended.countDown();
        }
    }

    /** Waits (briefly) for the stream to end, so the last lines are all in. */
    void awaitEnd(long millis) {
        try {
            ended.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the worker said it exits through {@code System.exit} (its shutdown hooks ran). */
    boolean orderlyExit() {
        return orderlyExit;
    }

    /** The JVM's fatal-error banner, if the stream had one. */
    List<String> banner() {
        synchronized (last) {
            return List.copyOf(banner);
        }
    }

    /** The last lines, oldest first. */
    List<String> lastLines() {
        synchronized (last) {
            return List.copyOf(last);
        }
    }
}
