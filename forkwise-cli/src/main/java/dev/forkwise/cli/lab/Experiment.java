package dev.forkwise.cli.lab;

import dev.forkwise.cli.Progress;

/** One experiment of the lab: a guide's claim, tested on this machine. */
public interface Experiment {

    /**
     * Returns the short name used on the command line.
     *
     * @return for example {@code "sleeping-squares"}
     */
    String id();

    /**
     * Returns a one-line title.
     *
     * @return the title
     */
    String title();

    /**
     * Runs the experiment.
     *
     * @param settings how thorough to be
     * @param progress where to say what is running now
     * @return what was measured, and what it means
     * @throws Exception if the experiment cannot run
     */
    Report run(Settings settings, Progress progress) throws Exception;

    /**
     * Whether a quick run ({@code --quick}) runs this experiment unless it is named.
     *
     * @return true, unless the experiment needs more time than a quick run has
     */
    default boolean inQuickRun() {
        return true;
    }
}
