package dev.forkwise.advisor;

import dev.forkwise.Advice.Kind;

import java.lang.management.ThreadInfo;
import java.util.Collection;
import java.util.Locale;

/**
 * An automatic pool's probe: while its tasks run on platform threads, one per core, it sums what
 * each finished task measured (wall, thread CPU, BLOCKED time, time waiting for a core or stopped
 * for a collection) and what the monitor's samples found the running ones doing, and turns that
 * into a {@link Verdict} through the {@link Classifier}, the same rules as the advisor's.
 *
 * <p>It decides when enough tasks have finished ({@link #TASKS}; after {@link #NANOS}, one per
 * probe thread; after {@link #LONG_NANOS}, one), or early when every running task has spent almost
 * all of at least {@link #EARLY_ASLEEP_NANOS} off the CPU while it sleeps or is parked right then,
 * or {@link #EARLY_NANOS} while it is in native code (waiting work should not wait for completions
 * to get more room; a thread running Java code is never taken for a waiting one). Time stopped for
 * a garbage collection or spent waiting for a core counts as neither running nor waiting. Time off
 * the CPU in which the samples never found the tasks asleep is the JVM holding them up (safepoints,
 * a heap that grows), not waiting, and is left out of the shares ({@link #heldUpNanos}); with too
 * few samples, a probe that sees time off the CPU runs on for more.
 *
 * <p>Not thread-safe: guarded by the pool's lock.
 */
final class LiveProbe {

    static final int TASKS = 16;
    static final long NANOS = 50_000_000L;
    static final long EARLY_NANOS = 3_000_000L;

    /**
     * After this long, a probe decides on any one finished task (before it, on one per probe thread
     * after {@link #NANOS}).
     */
    static final long LONG_NANOS = 200_000_000L;

    /**
     * The early decision's wait for a task whose thread sleeps or is parked right now: a thread in
     * that state wants no core. One in native code ({@code RUNNABLE}: blocking I/O, or native
     * computing that has not shown its CPU time yet) needs {@link #EARLY_NANOS}.
     */
    static final long EARLY_ASLEEP_NANOS = 500_000L;

    /** Below this much sampled time the probe's samples do not change its figures. */
    static final long MIN_SAMPLED_NANOS = 10_000_000L;

    /**
     * The longest a probe waits for {@link #MIN_SAMPLED_NANOS} of samples when its figures say the
     * tasks spend time off the CPU; after that it decides on the figures as they are.
     */
    static final long SAMPLED_WAIT_NANOS = 200_000_000L;

    /**
     * What a probe found: the kind of work and the shares it was classified by, with the figures in
     * words.
     */
    record Verdict(
            Kind kind, double wallNanos, double cpuShare, double waitShare, String figures) {}

    private long started;
    private long tasks;
    private long seen;
    private long runDelay;

    /**
     * Nanoseconds of the counted tasks' samples, and of those asleep or in native code ({@link
     * #sample}).
     */
    private long sampled;

    private long asleep;
    private long wall;

    /**
     * The counted tasks' wall time with the time to measure them: what CPU, blocked and delay are
     * shares of.
     */
    private long span;

    private long cpu;
    private long blocked;

    /** Forgets everything: a new probe. */
    void reset() {
        started = 0;
        tasks = wall = span = cpu = blocked = seen = 0;
        runDelay = sampled = asleep = 0;
    }

    /** Whether the probe's clock runs: a task has been handed out since the last {@link #reset}. */
    boolean running() {
        return started != 0;
    }

    /** Starts the probe's clock, at its first task. */
    void start(long now) {
        started = now;
    }

    /** How many tasks the verdict rests on. */
    long counted() {
        return tasks;
    }

    /** Whether a probed task has finished (and an early decision is no longer possible). */
    boolean anyFinished() {
        return seen > 0;
    }

    /** Nanoseconds since the probe's first task. */
    long age(long now) {
        return now - started;
    }

    /**
     * Counts a finished measured task. The first {@code warmUp} of a probe also pay for class
     * loading and the JIT: not counted.
     *
     * @param taskWall the task's own time
     * @param taskSpan that and the time to measure it, which the other figures are read over
     * @param taskCpu its CPU time
     * @param taskBlocked its time blocked on monitors
     * @param taskRunDelay its time waiting for a core or stopped for a collection
     * @param t the task, with its samples
     * @param warmUp how many of a probe's first tasks to leave out
     */
    void count(
            long taskWall,
            long taskSpan,
            long taskCpu,
            long taskBlocked,
            long taskRunDelay,
            RunningTask t,
            int warmUp) {
        if (++seen > warmUp) {
            tasks++;
            wall += taskWall;
            span += taskSpan;
            cpu += taskCpu;
            blocked += taskBlocked;
            runDelay += taskRunDelay;
            sampled += t.sampled;
            asleep += t.asleep;
        }
    }

    /**
     * One sample of each measured task's thread, weighted by the tick: asleep ({@code WAITING},
     * {@code TIMED_WAITING}) or in native code (blocking I/O is {@code RUNNABLE} there), or not.
     * The decision uses it to tell waiting from being held up: a thread that runs Java code and yet
     * gets no CPU is stopped by the JVM (a safepoint, a heap that grows after a collection shrank
     * it) or waits for a core; it does not wait for anything of its own.
     */
    static void sample(long tick, Collection<RunningTask> running) {
        for (RunningTask s : running) {
            if (!s.measured()) {
                continue;
            }
            ThreadInfo i = ThreadMeasures.MX.getThreadInfo(s.thread.threadId());
            if (i == null) {
                continue;
            }
            s.sampled += tick;
            if (ThreadMeasures.asleepOrInNative(i)) {
                s.asleep += tick;
            }
        }
    }

    /**
     * Decides, if there is enough to go on.
     *
     * @param now the time
     * @param running the tasks running now
     * @param threads the platform threads the probe runs on, for the figures
     * @return the verdict, or null while there is not enough yet
     */
    Verdict decide(long now, Collection<RunningTask> running, int threads) {
        long age = now - started;
        // after NANOS, one finished task per probe thread is enough; after LONG_NANOS, any one:
        // one task finished while the others queue at a lock says nothing about the lock (a cold
        // pool on a busy machine decided on 1 task, 0% blocked, while its other thread waited)
        boolean enough =
                tasks >= TASKS
                        || (tasks >= threads && age >= NANOS)
                        || (tasks > 0 && age >= LONG_NANOS);
        if (!enough
                && tasks == 0
                && seen == 0
                && age >= EARLY_ASLEEP_NANOS
                && everyRunningTaskWaits(now, running)) {
            return new Verdict(
                    Kind.WAITING,
                    0,
                    0,
                    1,
                    String.format(
                            Locale.ROOT,
                            "The first %d tasks have been running %s and used almost no CPU: they"
                                    + " wait.",
                            running.size(),
                            Judge.time(age)));
        }
        if (!enough) {
            return null;
        }
        double perTask = wall / (double) tasks;
        // CPU over the wall time the tasks were not kept waiting for a core (other processes and
        // the JIT compete for the cores too): waiting for a core is not the task waiting
        long ownWall = Math.max(1, span - runDelay);
        // and over the time they were not held up by the JVM either (see heldUpNanos)
        if (sampled < MIN_SAMPLED_NANOS
                && now - started < SAMPLED_WAIT_NANOS
                && cpu + blocked < Classifier.COMPUTING_CPU_SHARE * ownWall
                && wall >= Classifier.TINY_NANOS * tasks) {
            return null; // time off the CPU, too few samples to tell waiting from being held up:
            // more tasks
        }
        long heldUp = heldUpNanos(ownWall, cpu, blocked, sampled, asleep);
        double heldUpShare = heldUp / (double) ownWall;
        ownWall = Math.max(1, ownWall - heldUp);
        double cpuShare = span == 0 ? 0 : Math.min(1, cpu / (double) ownWall);
        // the lock share takes in the tasks still running too: with a global lock, the ones that
        // have not finished yet are the ones that queued longest for it
        long[] inFlight = inFlight(running);
        long busy = cpu + blocked + inFlight[0] + inFlight[1];
        double lockShare = busy == 0 ? 0 : (blocked + inFlight[1]) / (double) busy;
        double blockedShare = blocked / (double) ownWall;
        double waitShare = Math.max(0, 1 - cpuShare - blockedShare);
        String figures =
                String.format(
                        Locale.ROOT,
                        "%d tasks measured on %d platform threads: %s per task, %.0f%% CPU, %.0f%%"
                                + " of busy time blocked on locks, %.0f%% waiting%s.",
                        tasks,
                        threads,
                        Judge.time(perTask),
                        100 * cpuShare,
                        100 * lockShare,
                        100 * waitShare,
                        heldUpShare < 0.01
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        " (not counting %.0f%% of their time in which they ran Java"
                                                + " code but got no CPU: held up by the JVM, not"
                                                + " waiting)",
                                        100 * heldUpShare));
        Kind kind = Classifier.classify(perTask, cpuShare, waitShare, blockedShare, lockShare);
        return new Verdict(kind, perTask, cpuShare, waitShare, figures);
    }

    /**
     * The CPU time and the time blocked on monitors of the measured tasks running now, so far: two
     * thread reads per task, made once per decision.
     */
    private static long[] inFlight(Collection<RunningTask> running) {
        long cpuSoFar = 0;
        long blockedSoFar = 0;
        for (RunningTask s : running) {
            if (!s.measured()) {
                continue;
            }
            long c = ThreadMeasures.MX.getThreadCpuTime(s.thread.threadId());
            long b = ThreadMeasures.blockedMillis(s.thread);
            if (c >= s.cpu) {
                cpuSoFar += c - s.cpu;
            }
            blockedSoFar += Math.max(0, b - s.blockedMillis) * 1_000_000L;
        }
        return new long[] {cpuSoFar, blockedSoFar};
    }

    /**
     * Of the measured tasks' time that is neither CPU, nor blocked on a lock, nor waiting for a
     * core ({@code ownWall - cpu - blocked}), the part in which the samples did not find them
     * asleep or in native code: time in which they were running Java code and got no CPU. That is
     * the JVM holding them up (a safepoint; page faults while the heap grows after a collection
     * shrank it, which made chunks of tiny tasks look 60–80% idle in a fresh pool), not the tasks
     * waiting. 0 when the samples cover less than {@link #MIN_SAMPLED_NANOS}.
     *
     * @param ownWall the tasks' wall time less their time waiting for a core
     * @param cpu their CPU time
     * @param blocked their time blocked on monitors
     * @param sampled nanoseconds of samples
     * @param asleep nanoseconds of samples that found them asleep or in native code
     */
    static long heldUpNanos(long ownWall, long cpu, long blocked, long sampled, long asleep) {
        long rest = ownWall - cpu - blocked;
        if (rest <= 0 || sampled < MIN_SAMPLED_NANOS) {
            return 0;
        }
        // the samples are about a millisecond apart: take the asleep share at the top of its range
        // (two standard errors), so that a mix of computing and sleeping that the samples happened
        // to find awake is not taken for held-up computing. The monitor that takes them is stopped
        // by the same pauses and waits for a core like any thread: they cover the tasks' own time
        double n = sampled / 1e6;
        double p = Math.min(1, asleep / (double) sampled);
        double high = Math.min(1, p + 2 * Math.sqrt(p * (1 - p) / n));
        return Math.max(0, rest - (long) (ownWall * high));
    }

    /**
     * Nanoseconds from {@code now} before {@link #everyRunningTaskWaits} can hold, at the soonest:
     * each task needs {@link #EARLY_ASLEEP_NANOS} since its start and its CPU time under the
     * waiting share of that time, even if it uses no more CPU from now on. Tasks that compute push
     * it back (at 1 ms of CPU, 3.3 ms), so the monitor does not wake every fast tick on the cores
     * that computing work needs for a decision that cannot come yet; waiting work is checked as
     * often as before.
     */
    static long untilEarlyPossible(long now, Collection<RunningTask> running) {
        long until = 0;
        for (RunningTask s : running) {
            if (!s.measured()) {
                return Long.MAX_VALUE; // not measured: no early decision while it runs
            }
            long cpu = ThreadMeasures.MX.getThreadCpuTime(s.thread.threadId());
            long elapsed = now - s.wall;
            long needed =
                    Math.max(
                            EARLY_ASLEEP_NANOS,
                            cpu < 0 ? 0 : (long) ((cpu - s.cpu) / Classifier.WAITING_CPU_SHARE));
            until = Math.max(until, needed - elapsed);
        }
        return until;
    }

    /**
     * Whether every task running on a thread is asleep or in native code now and has run for {@link
     * #EARLY_ASLEEP_NANOS} or more ({@link #EARLY_NANOS} if it is in native code), under the
     * waiting share of that time on the CPU. It counts from the task's start, not from when it was
     * first seen asleep: a task that computes 5 ms and then sleeps 5 ms is caught asleep often, and
     * went to virtual threads as waiting work (a tenth slower than on 8 platform threads). A thread
     * that runs Java code or is blocked on a lock right now is not waiting, whatever its CPU time
     * says: if it gets no CPU, the JVM holds it up or it waits for a core.
     */
    private static boolean everyRunningTaskWaits(long now, Collection<RunningTask> running) {
        if (running.isEmpty()) {
            return false;
        }
        long gc = ThreadMeasures.gcPauseMillis();
        for (RunningTask s : running) {
            if (!s.measured()) {
                return false;
            }
            // the cheap test first (the time since the start is only shortened below): computing
            // tasks fail it without a thread snapshot or a /proc read
            long cpu = ThreadMeasures.MX.getThreadCpuTime(s.thread.threadId());
            if (cpu < 0 || cpu - s.cpu > Classifier.WAITING_CPU_SHARE * (now - s.wall)) {
                return false;
            }
            ThreadInfo info = ThreadMeasures.MX.getThreadInfo(s.thread.threadId());
            if (info == null || !ThreadMeasures.asleepOrInNative(info)) {
                return false;
            }
            long needed =
                    info.getThreadState() == Thread.State.RUNNABLE
                            ? EARLY_NANOS
                            : EARLY_ASLEEP_NANOS;
            // time stopped for garbage collection, or waiting for a core while other work has the
            // cores, is time the task could not run, not time it waited: a task that computes 4 ms
            // and sleeps 4 ms, caught asleep after 16 ms on a busy machine, was taken for waiting
            long forCore =
                    s.schedstat == null
                            ? 0
                            : Math.max(0, ThreadMeasures.runDelay(s.schedstat) - s.runDelay);
            long elapsed = now - s.wall - (gc - s.gcMillis) * 1_000_000L - forCore;
            if (elapsed < needed || cpu - s.cpu > Classifier.WAITING_CPU_SHARE * elapsed) {
                return false;
            }
        }
        return true;
    }
}
