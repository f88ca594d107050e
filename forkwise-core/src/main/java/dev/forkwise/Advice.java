package dev.forkwise;

import java.util.List;

/**
 * What {@link Advisor#measure} found and what it recommends: the kind of work, the measured
 * figures, the backend, pool size and chunk size, the speedup to expect, and the reasons in plain
 * sentences.
 *
 * @param kind what kind of work the task is
 * @param backend where to run it
 * @param poolSize how many threads or worker JVMs (1 for {@link Backend#INLINE})
 * @param chunkSize how many inputs to hand over at a time in {@code map}
 * @param expectedSpeedup the speedup over a plain loop to expect from the recommendation
 * @param measured the figures behind it
 * @param reasons why, in sentences with the figures
 */
public record Advice(
        Kind kind,
        Backend backend,
        int poolSize,
        int chunkSize,
        double expectedSpeedup,
        Measurements measured,
        List<String> reasons) {

    public Advice {
        reasons = List.copyOf(reasons);
    }

    /** The kind of work. */
    public enum Kind {
        /** Mostly waiting (sleep, I/O, a remote call): CPU time is a small part of wall time. */
        WAITING,
        /** Mostly computing, and threads do not hold each other up. */
        COMPUTING,
        /**
         * Computing, but behind one lock all threads need ("Java's GIL"): threads run one at a
         * time.
         */
        COMPUTING_BEHIND_A_GLOBAL_LOCK,
        /** So short that handing a task over costs about as much as running it. */
        TINY,
        /** A mix of computing and waiting. */
        MIXED,
        /**
         * Declared to need a process of its own (may crash, hard timeout, memory cap, not
         * thread-safe).
         */
        NEEDS_ISOLATION
    }

    /** Where to run the work. */
    public enum Backend {
        /** In the caller's thread: nothing parallel pays. */
        INLINE,
        /** {@link Pool#threads(int)}. */
        PLATFORM_THREADS,
        /** {@link Pool#virtualThreads(int)}. */
        VIRTUAL_THREADS,
        /** {@link Pool#processes(int)}. */
        PROCESSES
    }

    /**
     * The figures measured, per task (means).
     *
     * @param tasks how many tasks were run to measure
     * @param wallNanos wall time per task, run one at a time
     * @param cpuNanos thread CPU time per task
     * @param blockedNanos time BLOCKED on a monitor per task, one at a time
     * @param allocatedBytes bytes allocated per task
     * @param concurrentThreads how many threads ran the tasks at once in the second phase
     * @param concurrentLockShare the share of those threads' busy time (CPU and BLOCKED) that did
     *     no task's work: time blocked on, or spinning for, a lock another thread held
     * @param concurrentSpeedup tasks per second with those threads over one thread
     * @param transferNanos what sending a task and its input to a worker JVM and its result back
     *     costs beyond running it, or -1 if not measured
     * @param cores the processors this JVM may use (after any container quota)
     * @param coreShare the share of a core a pure-CPU loop got on the measuring thread (1 on an
     *     idle machine): CPU time is read against it, so waiting for a core is not waiting
     */
    public record Measurements(
            long tasks,
            double wallNanos,
            double cpuNanos,
            double blockedNanos,
            double allocatedBytes,
            int concurrentThreads,
            double concurrentLockShare,
            double concurrentSpeedup,
            double transferNanos,
            int cores,
            double coreShare) {

        /**
         * @return CPU time over the wall time it would take on a core of its own, one at a time
         */
        public double cpuShare() {
            return wallNanos <= 0 ? 0 : Math.min(1, cpuNanos / wallNanos / coreShare);
        }

        /**
         * @return the share of wall time spent neither computing nor blocked: waiting
         */
        public double waitShare() {
            return wallNanos <= 0 ? 0 : Math.max(0, 1 - cpuShare() - blockedNanos / wallNanos);
        }
    }

    /** Creates the recommended pool. */
    public Pool newPool() {
        return switch (backend) {
            case INLINE, PLATFORM_THREADS -> Pool.threads(poolSize);
            case VIRTUAL_THREADS -> Pool.virtualThreads(poolSize);
            case PROCESSES -> Pool.processes(poolSize);
        };
    }

    @Override
    public String toString() {
        return kind
                + ": "
                + backend
                + " × "
                + poolSize
                + ", chunks of "
                + chunkSize
                + " — "
                + String.join(" ", reasons);
    }
}
