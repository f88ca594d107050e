package dev.forkwise.cluster;

/**
 * How a cluster pool runs its tasks.
 *
 * @param idempotent whether a task may run again: if so, a task whose member dies runs again on a
 *     survivor; if not, it fails with {@link dev.forkwise.WorkerCrashedException} naming the
 *     member, so nothing runs twice
 * @param parallelism the most tasks in flight at once, or 0 for one per core of every member
 */
public record ClusterPoolOptions(boolean idempotent, int parallelism) {

    /** Checks the options. */
    public ClusterPoolOptions {
        if (parallelism < 0) {
            throw new IllegalArgumentException(
                    "parallelism must be 0 (one per member core) or more, was " + parallelism);
        }
    }

    /**
     * Tasks that must not run twice, one per member core.
     *
     * @return the options
     */
    public static ClusterPoolOptions defaults() {
        return new ClusterPoolOptions(false, 0);
    }

    /**
     * Returns these options with tasks declared idempotent (or not).
     *
     * @param yes whether a task may run again on a survivor
     * @return new options
     */
    public ClusterPoolOptions idempotent(boolean yes) {
        return new ClusterPoolOptions(yes, parallelism);
    }

    /**
     * Returns these options with a bound on tasks in flight.
     *
     * @param tasks the most at once, or 0 for one per member core
     * @return new options
     */
    public ClusterPoolOptions parallelism(int tasks) {
        return new ClusterPoolOptions(idempotent, tasks);
    }
}
