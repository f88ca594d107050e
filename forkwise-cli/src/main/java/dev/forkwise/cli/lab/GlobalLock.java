package dev.forkwise.cli.lab;

import dev.forkwise.Fn;
import dev.forkwise.Pool;
import dev.forkwise.cli.Progress;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * "Java's GIL": the GIL guide's CPU task, each run inside one JVM-wide {@code synchronized} block,
 * the way a library with a global lock (or a {@code static synchronized} method) serializes all
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

    /** The GIL guide's's sum, inside the JVM-wide lock. */
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
    public Report run(Settings settings, Progress progress) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        int rounds = settings.rounds(3, 5);
        List<Long> inputs = Collections.nCopies(tasks, n);
        BigInteger want = SumOfSquares.expected(n);
        Fn<Long, BigInteger> work = GlobalLock::lockedSum;
        progress.step("warming up the JIT");
        for (int i = 0; i < 3; i++) {
            lockedSum(n);
        }
        List<List<String>> rows = new ArrayList<>();
        progress.step("sequential loop");
        Measure.Result<List<BigInteger>> seq = Measure.loop(rounds, inputs, work);
        rows.add(Measure.row("sequential loop", "1", seq, seq, Measure.allEqual(seq, want)));
        progress.step("Pool.threads(" + cores + ")");
        Measure.Result<List<BigInteger>> threads;
        try (Pool pool = Pool.threads(cores)) {
            threads = Measure.onPool(pool, 0, rounds, work, inputs);
        }
        rows.add(
                Measure.row(
                        "Pool.threads(" + cores + ")",
                        String.valueOf(cores),
                        threads,
                        seq,
                        Measure.allEqual(threads, want)));
        progress.step("Pool.processes(" + cores + ")");
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
                        Measure.allEqual(processes, want)));
        double t = seq.seconds() / threads.seconds();
        double p = seq.seconds() / processes.seconds();
        Report report =
                new Report(
                        title(),
                        "the GIL guide: CPU-bound work on threads gets no speedup because one lock"
                            + " (CPython's GIL) lets one thread run at a time; processes each have"
                            + " their own.",
                        Measure.speedupHeader(rounds),
                        rows,
                        List.of(
                                cores
                                        + " worker JVMs ran "
                                        + Measure.ratio(p)
                                        + " as fast (at most "
                                        + Math.min(cores, tasks)
                                        + "× here): each JVM has its own lock. When work is"
                                        + " serialized by a lock you cannot remove (a library's"
                                        + " static synchronized method, a global cache), processes"
                                        + " are the answer in Java too."));
        report =
                report.with(verdict(t, p, cores))
                        .with(
                                Chart.bar(
                                        "Behind one global lock: speedup over the loop",
                                        "× the loop",
                                        List.of(
                                                "sequential loop",
                                                "Pool.threads(" + cores + ")",
                                                "Pool.processes(" + cores + ")"),
                                        List.of(Chart.Series.bars("Java", List.of(1.0, t, p)))));
        if (settings.withPython()) {
            // CPython's threads all run behind its one global lock: the same experiment
            long pyN = SumOfSquares.GUIDE_N / 2;
            progress.step("the guide's Python, n = " + Measure.count(pyN));
            Map<String, Object> py = settings.python().run("sum-of-squares", pyN, cores);
            double loop = TinyTasks.num(py, "loop");
            report =
                    report.withColumn(
                            4,
                            "Python speedup",
                            List.of(
                                    Measure.ratio(1),
                                    Measure.ratio(loop / TinyTasks.num(py, "threads" + cores)),
                                    Measure.ratio(loop / TinyTasks.num(py, "processes" + cores))));
        }
        return report;
    }

    /**
     * The verdict on "one global lock takes threads' speedup away; processes each have their own",
     * from the speedups measured behind a JVM-wide lock.
     *
     * @param threads the threads' speedup over the loop
     * @param processes the worker JVMs' speedup
     * @param cores the cores
     * @return the verdict
     */
    static Verdict verdict(double threads, double processes, int cores) {
        String figures =
                "behind one lock "
                        + cores
                        + " threads ran "
                        + Measure.ratio(threads)
                        + " as fast as the loop and "
                        + cores
                        + " worker JVMs "
                        + Measure.ratio(processes);
        if (threads > 1.25) {
            return Verdict.differs(figures + ": the lock did not serialize the threads here.");
        }
        if (processes >= 1.25 * threads) {
            return Verdict.holds(
                    figures
                            + ": one lock lets one thread compute at a time, as the GIL does;"
                            + " each JVM has its own lock.");
        }
        return Verdict.holds(
                figures
                        + ": one lock lets one thread compute at a time, as the GIL does; the"
                        + " worker JVMs did not gain here either (tasks too short for the hand-off,"
                        + " or too few cores free).");
    }
}
