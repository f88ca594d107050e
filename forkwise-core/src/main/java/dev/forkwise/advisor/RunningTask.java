package dev.forkwise.advisor;

/**
 * A task running on a thread of an automatic pool: the thread, when the task started and, when
 * measured, its CPU time then (-1 when not measured), its milliseconds blocked on monitors then,
 * the JVM's collection pauses then, the thread's {@code schedstat} file (or null) and its time
 * waiting for a core then; and what the monitor's samples found it doing while probing ({@link
 * LiveProbe#sample}).
 *
 * <p>An interrupt meant for this task must never reach the thread after the task has ended (the
 * thread goes on to the pool's next task): {@link #stop} and {@link #ended} take the same monitor,
 * and the task's thread clears its interrupt status after {@code ended()}. And no task may start
 * once {@code shutdownNow} has returned: a task is admitted ({@link #begin}) under that monitor
 * too, after it is registered with its pool and has found the pool not stopping; {@code
 * shutdownNow} marks the pool stopping and then stops every registered task, so each task is either
 * stopped before it is admitted, interrupted after, or sees the mark.
 */
final class RunningTask {
    final Thread thread;
    final long wall;
    final long cpu;
    final long blockedMillis;
    final long gcMillis;
    final String schedstat;
    final long runDelay;

    /**
     * Nanoseconds of ticks at which the monitor saw the thread, and of those at which it was asleep
     * or in native code. Guarded by the pool's lock.
     */
    long sampled;

    long asleep;

    private boolean over; // guarded by this
    private boolean begun; // guarded by this
    private boolean stopped; // guarded by this

    RunningTask(
            Thread thread,
            long wall,
            long cpu,
            long blockedMillis,
            long gcMillis,
            String schedstat,
            long runDelay) {
        this.thread = thread;
        this.wall = wall;
        this.cpu = cpu;
        this.blockedMillis = blockedMillis;
        this.gcMillis = gcMillis;
        this.schedstat = schedstat;
        this.runDelay = runDelay;
    }

    /** Whether the task's CPU time is measured (it runs while the pool probes). */
    boolean measured() {
        return cpu >= 0;
    }

    /**
     * Admits the task to run on its thread; false if {@link #stop} came first, and then the task
     * never runs.
     */
    synchronized boolean begin() {
        if (stopped) {
            return false;
        }
        begun = true;
        return true;
    }

    /**
     * {@code shutdownNow}: a task already admitted is interrupted (unless it has ended); one not
     * yet admitted never will be.
     */
    synchronized void stop() {
        stopped = true;
        if (begun && !over) {
            thread.interrupt();
        }
    }

    /** The task has ended: from now on {@link #stop} leaves its thread alone. */
    synchronized void ended() {
        over = true;
    }
}
