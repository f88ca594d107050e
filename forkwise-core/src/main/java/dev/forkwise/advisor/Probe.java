package dev.forkwise.advisor;

import dev.forkwise.Fn;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a task's samples and measures them: first on one platform thread, one at a time, then on two
 * platform threads per core at once.
 *
 * <p>Figures are taken per pass over the samples, not per task: reading a thread's CPU time and
 * lock statistics costs microseconds, which would swamp a one-microsecond task. A phase repeats
 * passes until it has run for {@link #PHASE_NANOS} (and at least one pass), so tiny tasks are
 * measured over many runs and long ones are run once.
 */
public final class Probe {

    /** How long each phase runs at least. */
    static final long PHASE_NANOS = 150_000_000L;

    /** How long each measure of a core's availability spins. */
    static final long CALIBRATION_NANOS = 10_000_000L;

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private Probe() {}

    /**
     * What one thread measured over its passes.
     *
     * @param tasks tasks run
     * @param wall wall nanoseconds
     * @param cpu CPU nanoseconds
     * @param blocked nanoseconds BLOCKED on monitors
     * @param allocated bytes allocated
     */
    record Totals(
            long tasks, long wall, long cpu, long blocked, long allocated, double availability) {
        Totals plus(Totals o) {
            return new Totals(
                    tasks + o.tasks,
                    wall + o.wall,
                    cpu + o.cpu,
                    blocked + o.blocked,
                    allocated + o.allocated,
                    Math.min(availability, o.availability));
        }
    }

    /**
     * Both phases.
     *
     * @param one the one-thread phase
     * @param many the all-threads phase, summed over its threads
     * @param threads how many threads the second phase ran
     * @param manyElapsed the second phase's elapsed wall time
     */
    public record Result(Totals one, Totals many, int threads, long manyElapsed) {
        /** Tasks per second on many threads over tasks per second on one. */
        double speedup() {
            double oneRate = one.tasks / (double) one.wall;
            double manyRate = many.tasks / (double) manyElapsed;
            return manyRate / oneRate;
        }
    }

    /** Runs both phases on {@code samples}. */
    public static <T, R> Result run(Fn<T, R> task, List<T> samples) {
        if (MX.isThreadContentionMonitoringSupported()
                && !MX.isThreadContentionMonitoringEnabled()) {
            MX.setThreadContentionMonitoringEnabled(true);
        }
        // twice as many threads as cores: behind a global lock, a thread that gets a core while
        // another holds the lock blocks at once, even when other processes keep cores busy
        // (with one thread per core, a waiter on a busy machine mostly waits for a core instead,
        // which looks like nothing); without a lock, the extra threads only take turns
        int threads = Math.max(4, 2 * Sizing.cores());
        // a first pass warms the JIT and class loading, and finds a failing sample before timing
        Totals first = onThreads(1, task, samples, 0)[0];
        Totals one =
                first.wall() >= PHASE_NANOS ? first : onThreads(1, task, samples, PHASE_NANOS)[0];
        long start = System.nanoTime();
        Totals[] each = onThreads(threads, task, samples, PHASE_NANOS);
        long elapsed = System.nanoTime() - start;
        Totals many = new Totals(0, 0, 0, 0, 0, 1);
        for (Totals t : each) {
            many = many.plus(t);
        }
        return new Result(one, many, threads, elapsed);
    }

    /** Runs passes on {@code n} new platform threads, together, for at least {@code nanos}. */
    private static <T, R> Totals[] onThreads(int n, Fn<T, R> task, List<T> samples, long nanos) {
        Totals[] out = new Totals[n];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            ts.add(
                    Thread.ofPlatform()
                            .name("forkwise-advisor-" + i)
                            .daemon()
                            .start(
                                    () -> {
                                        try {
                                            go.await();
                                            out[id] = passes(task, samples, nanos);
                                        } catch (Throwable e) {
                                            failure.compareAndSet(null, e);
                                        }
                                    }));
        }
        go.countDown();
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring", e);
            }
        }
        Throwable f = failure.get();
        if (f instanceof IllegalArgumentException iae) {
            throw iae;
        }
        if (f != null) {
            throw new IllegalStateException("measuring failed: " + f, f);
        }
        return out;
    }

    private static <T, R> Totals passes(Fn<T, R> task, List<T> samples, long nanos) {
        double before = availability();
        long id = Thread.currentThread().threadId();
        long cpu0 = MX.getCurrentThreadCpuTime();
        long blocked0 = blocked(id);
        long alloc0 = allocated();
        long wall0 = System.nanoTime();
        long tasks = 0;
        do {
            for (int i = 0; i < samples.size(); i++) {
                try {
                    task.apply(samples.get(i));
                } catch (Exception | Error e) {
                    throw new IllegalArgumentException(
                            "sample "
                                    + i
                                    + " ("
                                    + samples.get(i)
                                    + ") failed while the advisor measured it: "
                                    + e,
                            e);
                }
                tasks++;
            }
        } while (System.nanoTime() - wall0 < nanos);
        long wall = System.nanoTime() - wall0;
        long cpu = MX.getCurrentThreadCpuTime() - cpu0;
        long blockedNanos = Math.max(0, blocked(id) - blocked0) * 1_000_000L;
        long alloc = allocated() - alloc0;
        double after = availability();
        return new Totals(tasks, wall, cpu, blockedNanos, alloc, (before + after) / 2);
    }

    /**
     * The share of a core this thread gets now: CPU time over wall time of a short pure-CPU loop.
     * On a busy machine a CPU-bound task also shows less CPU than wall time; dividing by this tells
     * that apart from waiting.
     */
    static double availability() {
        return availability(CALIBRATION_NANOS);
    }

    /** {@link #availability()}, spinning for {@code nanos}. */
    static double availability(long nanos) {
        long cpu0 = MX.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long x = 0;
        while (System.nanoTime() - t0 < nanos) {
            for (int i = 0; i < 1_000; i++) {
                x += x * 31 + i;
            }
        }
        long wall = System.nanoTime() - t0;
        SINK = x;
        return Math.clamp((MX.getCurrentThreadCpuTime() - cpu0) / (double) wall, 0.05, 1.0);
    }

    private static volatile long SINK;

    /** Milliseconds this thread has been BLOCKED, or 0 where the JVM does not measure it. */
    private static long blocked(long id) {
        ThreadInfo info = MX.getThreadInfo(id);
        return info == null || info.getBlockedTime() < 0 ? 0 : info.getBlockedTime();
    }

    private static long allocated() {
        return MX instanceof com.sun.management.ThreadMXBean sun
                        && sun.isThreadAllocatedMemorySupported()
                ? sun.getCurrentThreadAllocatedBytes()
                : 0;
    }
}
