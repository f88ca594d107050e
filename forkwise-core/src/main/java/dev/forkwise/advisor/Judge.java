package dev.forkwise.advisor;

import dev.forkwise.Advice;
import dev.forkwise.Advice.Backend;
import dev.forkwise.Advice.Kind;
import dev.forkwise.Advisor.Need;
import dev.forkwise.Fn;
import dev.forkwise.Pool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Turns measurements into advice.
 *
 * <h2>The rules</h2>
 *
 * <p>A declared {@link Need} sends the task to worker JVMs: isolation cannot be measured. Otherwise
 * the {@link Classifier} names the kind of work from the task's shares of wall time alone (CPU,
 * blocked, waiting) and the busy time that {@link Probe}'s two threads per core lost to a lock
 * (60–75% behind one lock, measured with another process keeping a core busy; work that only runs
 * slower on many threads because other processes share the cores loses no busy time), and {@link
 * Sizing#threadsFor} sizes it, as for {@link dev.forkwise.Pool#auto()}. Tiny tasks go in chunks of
 * at least {@link #CHUNK_NANOS} of work to platform threads, or inline if threads gave no speedup
 * even without hand-offs; for worker JVMs, chunks keep the measured transfer under a tenth of the
 * work.
 *
 * <p>A busy machine stretches a CPU-bound task's wall time (it waits for a core): the CPU share is
 * divided by the share of a core a pure-CPU loop got on the same thread just before and after
 * ({@link Probe#availability()}), so waiting for a core is not mistaken for waiting.
 */
public final class Judge {

    static final double CHUNK_NANOS = 500_000;
    static final int MAX_VIRTUAL = 10_000;
    static final int MAX_PLATFORM = 1_024;

    private Judge() {}

    /** The advice for measurements {@code r} of {@code task}. */
    public static <T, R> Advice advise(
            Probe.Result r, Set<Need> needs, Fn<T, R> task, List<T> samples) {
        int cores = Sizing.cores();
        Probe.Totals one = r.one();
        double wall = one.wall() / (double) one.tasks();
        double cpu = one.cpu() / (double) one.tasks();
        double blocked = one.blocked() / (double) one.tasks();
        double alloc = one.allocated() / (double) one.tasks();
        // the threads' busy time (CPU or BLOCKED) that did no task's work: a waiter for a monitor
        // first spins (CPU) and then blocks, and either way the task's own CPU time, measured
        // alone, is all the work there was; time a thread lost to other processes counts in neither
        long busy = r.many().cpu() + r.many().blocked();
        double manyBlocked = busy == 0 ? 0 : Math.max(0, busy - r.many().tasks() * cpu) / busy;
        double speedup = r.speedup();
        // CPU over wall, corrected for the share of a core the thread could get at the time
        double cpuShare = wall <= 0 ? 0 : Math.min(1, cpu / wall / one.availability());
        double waitShare = wall <= 0 ? 0 : Math.max(0, 1 - cpuShare - blocked / wall);

        List<String> reasons = new ArrayList<>();
        reasons.add(
                String.format(
                        Locale.ROOT,
                        "Measured %,d runs over %d sample%s: %s per task, of which %.0f%% CPU time,"
                            + " %.0f%% blocked on locks and %.0f%% waiting; %s allocated per task.",
                        one.tasks(),
                        samples.size(),
                        samples.size() == 1 ? "" : "s",
                        time(wall),
                        100 * cpuShare,
                        100 * blocked / Math.max(wall, 1),
                        100 * waitShare,
                        bytes(alloc)));
        reasons.add(
                String.format(
                        Locale.ROOT,
                        "On %d threads at once the tasks ran %.2f× as fast as on one, and the"
                            + " threads spent %.0f%% of their busy time blocked on or spinning for"
                            + " locks.",
                        r.threads(),
                        speedup,
                        100 * manyBlocked));
        if (Sizing.limits().version() != 0) {
            reasons.add(
                    "This JVM may use "
                            + cores
                            + " core"
                            + (cores == 1 ? "" : "s")
                            + " ("
                            + Sizing.limits()
                            + ").");
        }

        Kind kind =
                needs.isEmpty()
                        ? Classifier.classify(
                                wall,
                                cpuShare,
                                waitShare,
                                wall <= 0 ? 0 : blocked / wall,
                                manyBlocked)
                        : Kind.NEEDS_ISOLATION;
        int size =
                Sizing.threadsFor(
                        kind,
                        cores,
                        cpuShare,
                        waitShare,
                        kind == Kind.WAITING ? MAX_VIRTUAL : MAX_PLATFORM);
        Backend backend;
        int chunk = 1;
        double expected;
        switch (kind) {
            case NEEDS_ISOLATION -> {
                backend = Backend.PROCESSES;
                reasons.add(
                        "Declared "
                                + needs
                                + ": only a process of its own gives that (a crash, a kill or a"
                                + " memory cap costs one worker, not this JVM), so use "
                                + size
                                + " worker JVMs.");
                expected = Math.min(size, Math.max(1, speedup));
            }
            case TINY -> {
                chunk = (int) Math.max(1, Math.ceil(CHUNK_NANOS / Math.max(wall, 1)));
                if (speedup < 1.2) {
                    backend = Backend.INLINE;
                    size = 1;
                    expected = 1;
                    reasons.add(
                            String.format(
                                    Locale.ROOT,
                                    "At %s a task is too short to hand over, and even without"
                                        + " hand-offs %d threads got only %.2f×: run it inline, in"
                                        + " a plain loop.",
                                    time(wall),
                                    r.threads(),
                                    speedup));
                } else {
                    backend = Backend.PLATFORM_THREADS;
                    expected = Math.min(size, speedup) * 0.9;
                    reasons.add(
                            String.format(
                                    Locale.ROOT,
                                    "At %s a task costs less than handing it to another thread:"
                                        + " send %,d at a time (about %s of work per chunk) to %d"
                                        + " platform threads, one per core.",
                                    time(wall),
                                    chunk,
                                    time(chunk * wall),
                                    size));
                }
            }
            case WAITING -> {
                backend = Backend.VIRTUAL_THREADS;
                double ratio = waitShare / Math.max(cpuShare, 1e-4);
                expected = Math.min(size, cores / Math.max(cpuShare, 1e-4));
                reasons.add(
                        String.format(
                                Locale.ROOT,
                                "%.0f%% of wall time is waiting: the cores are free while tasks"
                                    + " wait, so run many at once on virtual threads: %d = %d cores"
                                    + " × (1 + wait/compute %.1f)%s.",
                                100 * waitShare,
                                size,
                                cores,
                                ratio,
                                size == MAX_VIRTUAL ? ", capped" : ""));
            }
            case COMPUTING_BEHIND_A_GLOBAL_LOCK -> {
                backend = Backend.PROCESSES;
                expected = size;
                reasons.add(
                        String.format(
                                Locale.ROOT,
                                "Alone a task computes (%.0f%% CPU), but %d threads together spent"
                                    + " %.0f%% of their busy time blocked on or spinning for a lock"
                                    + " and got %.2f×: one lock serializes them, as CPython's GIL"
                                    + " does. Each worker JVM has its own lock, so use %d worker"
                                    + " JVMs.",
                                100 * cpuShare,
                                r.threads(),
                                100 * manyBlocked,
                                speedup,
                                size));
            }
            case COMPUTING -> {
                backend = Backend.PLATFORM_THREADS;
                expected = Math.min(size, speedup);
                reasons.add(
                        String.format(
                                Locale.ROOT,
                                "%.0f%% of wall time is CPU time and the threads hardly block each"
                                    + " other: use %d platform thread%s, one per core (Java has no"
                                    + " GIL).",
                                100 * cpuShare,
                                size,
                                size == 1 ? "" : "s"));
            }
            default -> {
                backend = Backend.PLATFORM_THREADS;
                double ratio = waitShare / Math.max(cpuShare, 1e-4);
                expected = Math.min(size, cores / Math.max(cpuShare, 1e-4));
                reasons.add(
                        String.format(
                                Locale.ROOT,
                                "Tasks both compute (%.0f%%) and wait (%.0f%%): use %d platform"
                                    + " threads, so that at least %d of them want a core %.0f%% of"
                                    + " the time (cores × (1 + wait/compute %.2f) = %d would keep"
                                    + " the cores busy only if the waits interleaved perfectly).",
                                100 * cpuShare,
                                100 * waitShare,
                                size,
                                cores,
                                100 * (1 - Sizing.IDLE_CHANCE),
                                ratio,
                                (int) Math.ceil(cores * (1 + ratio))));
            }
        }

        double transfer = -1;
        if (backend == Backend.PROCESSES) {
            transfer = transferCost(task, samples.getFirst(), wall, reasons);
            if (transfer >= 0) {
                chunk = (int) Math.max(1, Math.ceil(10 * transfer / Math.max(wall, 1)));
                expected = Math.max(1, expected * wall / (wall + transfer / chunk));
                reasons.add(
                        String.format(
                                Locale.ROOT,
                                "Sending a task to a worker JVM and its result back costs %s beyond"
                                    + " running it: send %,d at a time so that stays under 10%% of"
                                    + " the work.",
                                time(transfer),
                                chunk));
            }
        }
        reasons.add(
                String.format(
                        Locale.ROOT, "Expected speedup over a plain loop: about %.1f×.", expected));
        Advice.Measurements m =
                new Advice.Measurements(
                        one.tasks(),
                        wall,
                        cpu,
                        blocked,
                        alloc,
                        r.threads(),
                        manyBlocked,
                        speedup,
                        transfer,
                        cores,
                        one.availability());
        return new Advice(kind, backend, size, chunk, expected, m, reasons);
    }

    /**
     * The median, over 5 runs after a warm-up, of a round trip to one worker JVM minus the time the
     * task itself took there in that run (the worker times it); -1 if the task cannot be run there.
     */
    private static <T, R> double transferCost(
            Fn<T, R> task, T sample, double wall, List<String> reasons) {
        Fn<T, Long> timed =
                input -> {
                    long t0 = System.nanoTime();
                    task.apply(input);
                    return System.nanoTime() - t0;
                };
        try (Pool pool = Pool.processes(1)) {
            // warm the worker's JIT on the task first
            long warm = System.nanoTime();
            for (int i = 0; i < 20 && System.nanoTime() - warm < 300_000_000L; i++) {
                pool.applyAsync(timed, sample).get(5, TimeUnit.MINUTES);
            }
            double[] cost = new double[5];
            for (int i = 0; i < cost.length; i++) {
                // one call's round trip less that same call's own time there (a wrapper times it):
                // what the trip costs. Two different calls would not do: under load a task's own
                // time varies by more than the trip, and the difference can come out negative.
                long t = System.nanoTime();
                long there = pool.applyAsync(timed, sample).get(5, TimeUnit.MINUTES);
                cost[i] = System.nanoTime() - t - there;
            }
            Arrays.sort(cost);
            return cost[cost.length / 2];
        } catch (Exception e) {
            Throwable c = e instanceof ExecutionException ? e.getCause() : e;
            reasons.add(
                    "The task could not be run in a worker JVM to measure the transfer: "
                            + c
                            + ". Fix that before using worker JVMs.");
            return -1;
        }
    }

    static String time(double nanos) {
        if (nanos >= 1e9) {
            return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
        }
        if (nanos >= 1e6) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        if (nanos >= 1e3) {
            return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f ns", nanos);
    }

    static String bytes(double b) {
        if (b >= 1 << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (1 << 20));
        }
        if (b >= 1 << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", b / (1 << 10));
        }
        return String.format(Locale.ROOT, "%.0f bytes", b);
    }
}
