package dev.forkwise.advisor;

import dev.forkwise.Advice.Kind;

/**
 * The one classifier of work, shared by {@link Judge} (the advisor's measurements of a task run
 * alone and on many threads) and {@link AutoBackend} (an automatic pool's live probe): shares of a
 * task's wall time in, a {@link Kind} out. Sizing for each kind is {@link Sizing#threadsFor}.
 *
 * <h2>The rules, in order</h2>
 *
 * <ol>
 *   <li>Under {@link #TINY_NANOS} per task: {@link Kind#TINY}.
 *   <li>CPU under {@link #WAITING_CPU_SHARE} of wall time, and more of the rest waiting than
 *       blocked on locks: {@link Kind#WAITING}. (Little CPU because the tasks queue for one lock is
 *       not waiting: on a loaded machine, two threads taking turns at a global lock each got under
 *       30% CPU.)
 *   <li>{@link #GLOBAL_LOCK_SHARE} or more of the busy time (CPU or blocked) lost to a lock when
 *       many threads run: {@link Kind#COMPUTING_BEHIND_A_GLOBAL_LOCK}.
 *   <li>CPU at least {@link #COMPUTING_CPU_SHARE} of wall time: {@link Kind#COMPUTING}.
 *   <li>Otherwise {@link Kind#MIXED}.
 * </ol>
 */
final class Classifier {

    /** Below this many nanoseconds per task, handing a task over costs more than it. */
    static final double TINY_NANOS = 20_000;

    static final double WAITING_CPU_SHARE = 0.3;
    static final double COMPUTING_CPU_SHARE = 0.75;
    static final double GLOBAL_LOCK_SHARE = 0.25;

    private Classifier() {}

    /**
     * Classifies work.
     *
     * @param wallNanos mean wall time per task
     * @param cpuShare CPU time over the wall time the task could run (not waiting for a core)
     * @param waitShare the share of that wall time off the CPU and not blocked on a lock
     * @param blockedShare the share of that wall time blocked on locks
     * @param lockShare the share of the busy time (CPU or blocked) lost to locks with many threads
     * @return the kind
     */
    static Kind classify(
            double wallNanos,
            double cpuShare,
            double waitShare,
            double blockedShare,
            double lockShare) {
        if (wallNanos < TINY_NANOS) {
            return Kind.TINY;
        }
        if (cpuShare < WAITING_CPU_SHARE && waitShare >= blockedShare) {
            return Kind.WAITING;
        }
        if (lockShare >= GLOBAL_LOCK_SHARE) {
            return Kind.COMPUTING_BEHIND_A_GLOBAL_LOCK;
        }
        if (cpuShare >= COMPUTING_CPU_SHARE) {
            return Kind.COMPUTING;
        }
        return Kind.MIXED;
    }
}
