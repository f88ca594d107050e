package dev.forkwise.cli.lab;

import dev.forkwise.Fn;
import dev.forkwise.Pool;
import dev.forkwise.cli.Progress;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The GIL guide's's CPU-bound task, {@code sum(i * i for i in range(n))} four times, sequentially
 * and on threads and on worker JVMs. The guide says threads give no speedup (the GIL) and processes
 * about 4×; Java has no GIL, so threads scale with the cores, and processes match them once warm.
 */
public final class SumOfSquares implements Experiment {

    /** The guide's n. */
    static final long GUIDE_N = 10_000_000;

    private final long n;
    private final int tasks;

    SumOfSquares(long n, int tasks) {
        this.n = n;
        this.tasks = tasks;
    }

    /**
     * Python's {@code sum(i * i for i in range(n))}, exactly: the sum passes {@code Long.MAX_VALUE}
     * for n above about 3 million, so it is kept in 128 bits, as Python's integers would.
     *
     * @param n how many squares to add
     * @return the exact sum
     */
    public static BigInteger sumOfSquares(long n) {
        long lo = 0;
        long hi = 0;
        for (long i = 0; i < n; i++) {
            long sq = i * i;
            long sum = lo + sq;
            if (Long.compareUnsigned(sum, lo) < 0) {
                hi++;
            }
            lo = sum;
        }
        return BigInteger.valueOf(hi).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(lo)));
    }

    /** The closed form (n-1)·n·(2n-1)/6, to check the loop. */
    static BigInteger expected(long n) {
        BigInteger b = BigInteger.valueOf(n);
        return b.subtract(BigInteger.ONE)
                .multiply(b)
                .multiply(b.shiftLeft(1).subtract(BigInteger.ONE))
                .divide(BigInteger.valueOf(6));
    }

    @Override
    public String id() {
        return "sum-of-squares";
    }

    @Override
    public String title() {
        String scale =
                n == GUIDE_N
                        ? ""
                        : " (the guide's n × "
                                + Measure.count(n / GUIDE_N)
                                + ", so a Java task is long enough to time)";
        return "sum(i*i for i in range("
                + Measure.count(n)
                + ")) × "
                + tasks
                + ", CPU-bound (GIL guide)"
                + scale;
    }

    @Override
    public Report run(Settings settings, Progress progress) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        int rounds = settings.rounds(3, 7);
        List<Long> inputs = Collections.nCopies(tasks, n);
        BigInteger want = expected(n);
        Fn<Long, BigInteger> work = SumOfSquares::sumOfSquares;

        record Variant(String name, String workers, Supplier<Pool> pool) {}
        List<Variant> variants = new ArrayList<>();
        variants.add(
                new Variant(
                        "Pool.threads(" + tasks + ")",
                        String.valueOf(tasks),
                        () -> Pool.threads(tasks)));
        if (cores != tasks) {
            variants.add(
                    new Variant(
                            "Pool.threads(" + cores + ") (one per core)",
                            String.valueOf(cores),
                            () -> Pool.threads(cores)));
        }
        variants.add(new Variant("Pool.virtualThreads()", "one per task", Pool::virtualThreads));

        progress.step("warming up the JIT");
        for (int i = 0; i < 3; i++) {
            sumOfSquares(n);
        }

        List<List<String>> rows = new ArrayList<>();
        Duration processStart;
        progress.step("sequential loop");
        Measure.Result<List<BigInteger>> seq =
                Measure.median(
                        rounds,
                        () -> {
                            List<BigInteger> out = new ArrayList<>();
                            for (long x : inputs) {
                                out.add(sumOfSquares(x));
                            }
                            return out;
                        });
        rows.add(Measure.row("sequential loop", "1", seq, seq, Measure.allEqual(seq, want)));
        List<Double> seconds = new ArrayList<>(List.of(seq.seconds()));
        Measure.Result<List<BigInteger>> first = null;
        for (Variant v : variants) {
            progress.step(v.name());
            Measure.Result<List<BigInteger>> r =
                    Measure.median(
                            rounds,
                            () -> {
                                try (Pool pool = v.pool().get()) {
                                    return pool.map(work, inputs, 1);
                                }
                            });
            rows.add(Measure.row(v.name(), v.workers(), r, seq, Measure.allEqual(r, want)));
            seconds.add(r.seconds());
            if (first == null) {
                first = r;
            }
        }

        progress.step("Pool.processes(" + tasks + ")");
        Measure.Result<List<BigInteger>> processes;
        long startNanos = System.nanoTime();
        try (Pool pool = Pool.processes(tasks)) {
            pool.map(work, inputs, 1); // the first result: workers started and answered
            Duration start = Duration.ofNanos(System.nanoTime() - startNanos);
            for (int i = 0; i < 2; i++) {
                pool.map(work, inputs, 1); // warm the workers' JIT, as the loop above was warmed
            }
            processes = Measure.median(rounds, () -> pool.map(work, inputs, 1));
            rows.add(
                    Measure.row(
                            "Pool.processes(" + tasks + "), warm",
                            String.valueOf(tasks) + " JVMs",
                            processes,
                            seq,
                            Measure.allEqual(processes, want)));
            processStart = start;
            seconds.add(processes.seconds());
        }

        double speedup = seq.seconds() / first.seconds();
        int ideal = Math.min(tasks, cores);
        List<String> findings =
                List.of(
                        workerJvmsFinding(
                                speedup, seq.seconds() / processes.seconds(), tasks, processStart),
                        "Virtual threads compute as fast as platform threads (they run on one"
                            + " carrier thread per core) but bring nothing more for CPU work: they"
                            + " shine when tasks wait.",
                        "One task (n = "
                                + Measure.count(n)
                                + ") takes "
                                + Measure.time(seq.median().dividedBy(tasks))
                                + " here; the guide's timings imply about a second for n = "
                                + Measure.count(GUIDE_N)
                                + " in CPython.");
        Report report =
                new Report(
                        title(),
                        "the GIL guide: with threads \"~4 seconds on 4-core machine\" (no faster"
                                + " than one thread, because of the GIL), with multiprocessing \"~1"
                                + " second\".",
                        Measure.speedupHeader(rounds),
                        rows,
                        findings);
        List<String> names = new ArrayList<>();
        List<Double> speedups = new ArrayList<>();
        for (List<String> row : rows) {
            names.add(row.get(0));
        }
        for (double s : seconds) {
            speedups.add(seq.seconds() / s);
        }
        report =
                report.with(verdict(speedup, seq.seconds() / processes.seconds(), cores, tasks))
                        .with(
                                Chart.bar(
                                        "CPU-bound sum: speedup over the loop",
                                        "× the loop",
                                        names,
                                        List.of(Chart.Series.bars("Java", speedups))));
        if (settings.withPython()) {
            progress.step("the guide's Python, n = " + Measure.count(GUIDE_N));
            Map<String, Object> py = settings.python().run(id(), GUIDE_N, tasks);
            double loop = TinyTasks.num(py, "loop");
            List<String> cells = new ArrayList<>();
            cells.add(Measure.ratio(1));
            for (Variant v : variants) {
                String key = "threads" + v.workers();
                cells.add(py.containsKey(key) ? Measure.ratio(loop / TinyTasks.num(py, key)) : "-");
            }
            cells.add(Measure.ratio(loop / TinyTasks.num(py, "processes" + tasks)));
            report = report.withColumn(4, "Python speedup", cells);
        }
        return report;
    }

    /**
     * The verdict on "threads don't speed up CPU work; processes do", from the speedups measured.
     *
     * @param threads the platform threads' speedup over the loop
     * @param processes the warm worker JVMs' speedup
     * @param cores the cores
     * @param tasks the tasks (the most threads that can help)
     * @return the verdict
     */
    static Verdict verdict(double threads, double processes, int cores, int tasks) {
        int most = Math.min(cores, tasks);
        String figures =
                tasks
                        + " platform threads computed "
                        + Measure.ratio(threads)
                        + " as fast as the loop and worker JVMs "
                        + Measure.ratio(processes)
                        + " (at most "
                        + most
                        + "× on "
                        + cores
                        + (cores == 1 ? " core)" : " cores)");
        if (most < 2) {
            return Verdict.holds(
                    figures + ": with one core nothing computes faster, in Java or Python.");
        }
        if (threads >= 1 + 0.25 * (most - 1)) {
            return Verdict.differs(
                    figures
                            + ": Java has no GIL, so threads use every core and processes add"
                            + " nothing to the speed.");
        }
        return Verdict.holds(
                figures + ": threads did not use the cores here (another load on the machine?).");
    }

    /**
     * What the worker-JVM row says, computed from it: how fast the warm worker JVMs computed
     * against the plain loop, set against the threads' speedup measured in the same run ("close to
     * threads" only within a fifth of it), and what a new pool cost to its first results.
     *
     * @param threads the platform threads' speedup over the loop
     * @param processes the warm worker JVMs' speedup over the loop
     * @param jvms how many worker JVMs
     * @param firstResults a new pool's time to its first results
     * @return the sentence
     */
    static String workerJvmsFinding(
            double threads, double processes, int jvms, Duration firstResults) {
        double ratio = processes / threads;
        String against =
                ratio >= 0.8 && ratio <= 1.25
                        ? "close to threads' " + Measure.ratio(threads)
                        : ratio < 0.8
                                ? "slower than threads' "
                                        + Measure.ratio(threads)
                                        + " (each worker JVM sends its inputs and results through"
                                        + " a channel, and has its own JIT to warm)"
                                : "faster than threads' " + Measure.ratio(threads);
        return "Worker JVMs computed "
                + Measure.ratio(processes)
                + " as fast as the loop once warm, "
                + against
                + ": Java needs no processes for speed. A new pool of "
                + jvms
                + " JVMs took "
                + Measure.time(firstResults)
                + " to its first results (start and cold JIT included); use processes for isolation"
                + " or a JVM-wide lock (see global-lock).";
    }
}
