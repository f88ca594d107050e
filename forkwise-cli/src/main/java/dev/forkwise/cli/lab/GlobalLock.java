package dev.forkwise.cli.lab;

import dev.forkwise.Fn;
import dev.forkwise.Pool;

import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * "Java's GIL": seed 002's CPU task, each run inside one JVM-wide {@code synchronized} block, the
 * way a library with a global lock (or a {@code static synchronized} method) serializes all
 * threads. Threads get about 1×, exactly like CPython's threads under the GIL; worker JVMs each
 * have their own lock, so they get about one × per core, like Python's processes.
 */
final class GlobalLock implements Experiment {

    /** The one lock every task takes, as a library's global lock would be. */
    private static final Object LOCK = new Object();

    private final long n;
    private final int tasks;

    GlobalLock(long n, int tasks) {
        this.n = n;
        this.tasks = tasks;
    }

    /** Seed 002's sum, inside the JVM-wide lock. */
    static BigInteger lockedSum(long n) {
        synchronized (LOCK) {
            return SumOfSquares.sumOfSquares(n);
        }
    }

    @Override
    public String id() {
        return "global-lock";
    }

    @Override
    public String title() {
        return "Java's GIL: sum(i*i for i in range("
                + Measure.count(n)
                + ")) × "
                + tasks
                + ", every task inside one global lock";
    }

    @Override
    public Report run(Settings settings, PrintWriter progress) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        int rounds = settings.rounds(3, 5);
        List<Long> inputs = Collections.nCopies(tasks, n);
        BigInteger want = SumOfSquares.expected(n);
        Fn<Long, BigInteger> work = GlobalLock::lockedSum;
        progress.println("  warming up the JIT ...");
        for (int i = 0; i < 3; i++) {
            lockedSum(n);
        }
        List<List<String>> rows = new ArrayList<>();
        progress.println("  sequential loop ...");
        Measure.Result<List<BigInteger>> seq =
                Measure.median(
                        rounds,
                        () -> {
                            List<BigInteger> out = new ArrayList<>();
                            for (long x : inputs) {
                                out.add(lockedSum(x));
                            }
                            return out;
                        });
        rows.add(Measure.row("sequential loop", "1", seq, seq, check(seq, want)));
        progress.println("  Pool.threads(" + cores + ") ...");
        Measure.Result<List<BigInteger>> threads;
        try (Pool pool = Pool.threads(cores)) {
            threads = Measure.median(rounds, () -> pool.map(work, inputs, 1));
        }
        rows.add(
                Measure.row(
                        "Pool.threads(" + cores + ")",
                        String.valueOf(cores),
                        threads,
                        seq,
                        check(threads, want)));
        progress.println("  Pool.processes(" + cores + ") ...");
        Measure.Result<List<BigInteger>> processes;
        try (Pool pool = Pool.processes(cores)) {
            for (int i = 0; i < 3; i++) {
                pool.map(work, inputs, 1); // start the workers and warm their JIT
            }
            processes = Measure.median(rounds, () -> pool.map(work, inputs, 1));
        }
        rows.add(
                Measure.row(
                        "Pool.processes(" + cores + "), warm",
                        cores + " JVMs",
                        processes,
                        seq,
                        check(processes, want)));
        double t = seq.seconds() / threads.seconds();
        double p = seq.seconds() / processes.seconds();
        return new Report(
                title(),
                "seed 002: CPU-bound work on threads gets no speedup because one lock (CPython's"
                    + " GIL) lets one thread run at a time; processes each have their own.",
                List.of("how", "workers", "time (median of " + rounds + ")", "speedup", "results"),
                rows,
                List.of(
                        "Behind one JVM-wide lock, "
                                + cores
                                + " threads ran "
                                + Measure.ratio(t)
                                + " as fast as the loop: the lock lets one thread compute at a"
                                + " time, exactly the GIL's effect on CPython threads.",
                        cores
                                + " worker JVMs ran "
                                + Measure.ratio(p)
                                + " as fast (at most "
                                + Math.min(cores, tasks)
                                + "× here): each JVM has its own lock. When work is serialized by a"
                                + " lock you cannot remove (a library's static synchronized method,"
                                + " a global cache), processes are the answer in Java too."));
    }

    private static String check(Measure.Result<List<BigInteger>> r, BigInteger want) {
        return r.value().stream().allMatch(want::equals) ? "ok" : "WRONG";
    }
}
