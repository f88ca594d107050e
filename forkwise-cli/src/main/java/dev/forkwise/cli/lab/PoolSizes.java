package dev.forkwise.cli.lab;

import dev.forkwise.Fn;
import dev.forkwise.Pool;
import dev.forkwise.cli.Progress;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The GIL guide's pool-size rules, as curves: for CPU-bound work "use {@code os.cpu_count()}
 * workers"; for I/O-bound work "you can use many more (tens or hundreds)". One experiment per rule
 * ({@link #computing} and {@link #waiting}): the same work on pools of growing size.
 */
final class PoolSizes implements Experiment {

    private final boolean computing;

    private PoolSizes(boolean computing) {
        this.computing = computing;
    }

    /** Speedup against pool size for CPU-bound tasks, on threads and on worker JVMs. */
    static PoolSizes computing() {
        return new PoolSizes(true);
    }

    /** Time against pool size for tasks that wait. */
    static PoolSizes waiting() {
        return new PoolSizes(false);
    }

    @Override
    public String id() {
        return computing ? "sizing-computing" : "sizing-waiting";
    }

    @Override
    public String title() {
        return computing
                ? "Pool size for computing: speedup against workers (GIL guide)"
                : "Pool size for waiting: time against threads (GIL guide)";
    }

    @Override
    public Report run(Settings settings, Progress progress) throws Exception {
        return computing ? runComputing(settings, progress) : runWaiting(settings, progress);
    }

    /** The sizes tried: 1, 2, 4, ... up to {@code most}, with {@code cores} among them. */
    static List<Integer> sizes(int cores, int most) {
        List<Integer> s = new ArrayList<>();
        for (int k = 1; k <= most; k *= 2) {
            s.add(k);
        }
        if (!s.contains(cores) && cores <= most) {
            s.add(cores);
            Collections.sort(s);
        }
        return s;
    }

    private Report runComputing(Settings settings, Progress progress) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        long n = settings.quick() ? 20_000_000 : 40_000_000;
        int tasks = 4 * cores;
        int rounds = settings.rounds(5, 7);
        List<Long> inputs = Collections.nCopies(tasks, n);
        Fn<Long, BigInteger> work = SumOfSquares::sumOfSquares;
        progress.step("warming up the JIT");
        for (int i = 0; i < 3; i++) {
            SumOfSquares.sumOfSquares(n);
        }
        // the baseline is a pool of one thread: the curve then shows what more workers add, not
        // the difference between a loop and a pool (their JIT states differ by 10-30% on short
        // jobs)
        Measure.Result<List<BigInteger>> one;
        try (Pool pool = Pool.threads(1)) {
            pool.map(work, inputs, 1);
            one = Measure.median(rounds, () -> pool.map(work, inputs, 1));
        }
        List<Integer> sizes = sizes(cores, 4 * cores);
        List<Double> xs = new ArrayList<>();
        List<Double> threads = new ArrayList<>();
        List<Double> ideal = new ArrayList<>();
        List<Double> processXs = new ArrayList<>();
        List<Double> processes = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        for (int k : sizes) {
            progress.step("Pool.threads(" + k + ")");
            Measure.Result<List<BigInteger>> t;
            try (Pool pool = Pool.threads(k)) {
                t = Measure.median(rounds, () -> pool.map(work, inputs, 1));
            }
            if (k == 1) {
                t = one.seconds() < t.seconds() ? one : t; // the same pool twice: the faster
            }
            double speedupT = one.seconds() / t.seconds();
            xs.add((double) k);
            threads.add(speedupT);
            ideal.add((double) Math.min(k, cores));
            String p = "-";
            if ((k == 1 && !settings.quick()) || k == cores || k == 2 * cores) {
                progress.step("Pool.processes(" + k + ")");
                try (Pool pool = Pool.processes(k)) {
                    for (int i = 0; i < 5; i++) {
                        pool.map(work, inputs, 1); // start the workers and warm their JIT
                    }
                    double s =
                            one.seconds()
                                    / Measure.median(rounds, () -> pool.map(work, inputs, 1))
                                            .seconds();
                    processXs.add((double) k);
                    processes.add(s);
                    p = Measure.ratio(s);
                }
            }
            rows.add(
                    List.of(
                            String.valueOf(k),
                            Measure.ratio(speedupT),
                            p,
                            Measure.ratio(Math.min(k, cores))));
        }
        List<Chart.Series> series = new ArrayList<>();
        series.add(new Chart.Series("Pool.threads(n)", xs, threads));
        series.add(new Chart.Series("Pool.processes(n), warm", processXs, processes));
        series.add(new Chart.Series("most possible", xs, ideal));
        Report report =
                new Report(
                        title(),
                        "the GIL guide: \"for CPU-bound work, use os.cpu_count() workers (one per"
                                + " CPU core)\".",
                        List.of(
                                "workers",
                                "threads: speedup",
                                "worker JVMs: speedup",
                                "most possible"),
                        rows,
                        List.of(
                                tasks
                                        + " tasks of sum(i*i for i in range("
                                        + Measure.count(n)
                                        + ")), against a pool of one thread."));
        report =
                report.with(computingVerdict(sizes, threads, cores))
                        .with(
                                Chart.line(
                                        "Computing: speedup against pool size",
                                        "workers",
                                        "× one thread",
                                        series));
        if (settings.withPython()) {
            progress.step("the guide's Python");
            long pyN = n / 10; // CPython is about 30× slower per square: keep its run short
            String list = String.join(",", sizes.stream().map(String::valueOf).toList());
            Map<String, Object> py = settings.python().run(id(), pyN, tasks, list);
            List<String> cells = new ArrayList<>();
            for (int k : sizes) {
                cells.add(Measure.ratio(TinyTasks.num(py, String.valueOf(k))));
            }
            report = report.withColumn(3, "Python processes", cells);
        }
        return report;
    }

    /**
     * The verdict on "one worker per core for computing", from the threads' speedups by size.
     *
     * @param sizes the pool sizes tried
     * @param speedups the speedup at each
     * @param cores the cores
     * @return the verdict
     */
    static Verdict computingVerdict(List<Integer> sizes, List<Double> speedups, int cores) {
        double best = speedups.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        int at = sizes.indexOf(cores);
        double atCores = at < 0 ? speedups.getLast() : speedups.get(at);
        String figures =
                "threads reached "
                        + Measure.ratio(atCores)
                        + " with "
                        + cores
                        + " (one per core), and at best "
                        + Measure.ratio(best)
                        + " with up to "
                        + sizes.getLast();
        if (atCores >= 0.9 * best) {
            return Verdict.holds(
                    figures + ": beyond one per core, more workers add nothing to computing.");
        }
        return Verdict.differs(
                figures + ": more workers than cores still helped here (the cores were shared?).");
    }

    private Report runWaiting(Settings settings, Progress progress) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        int tasks = settings.quick() ? 64 : 256;
        int ms = 10;
        int rounds = settings.rounds(1, 3);
        Fn<Integer, Integer> nap =
                x -> {
                    Thread.sleep(x);
                    return x;
                };
        List<Integer> inputs = Collections.nCopies(tasks, ms);
        List<Integer> sizes = sizes(cores, tasks);
        List<Double> xs = new ArrayList<>();
        List<Double> times = new ArrayList<>();
        List<Double> ideal = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        IntFunction<Pool> make = Pool::threads;
        for (int k : sizes) {
            progress.step("Pool.threads(" + k + ")");
            Measure.Result<List<Integer>> r;
            try (Pool pool = make.apply(k)) {
                r = Measure.median(rounds, () -> pool.map(nap, inputs, 1));
            }
            double waves = Math.ceil(tasks / (double) k);
            xs.add((double) k);
            times.add(r.seconds());
            ideal.add(waves * ms / 1000.0);
            rows.add(
                    List.of(
                            String.valueOf(k),
                            Measure.time(r.median()),
                            Measure.seconds(waves * ms / 1000.0)));
        }
        progress.step("Pool.virtualThreads()");
        Measure.Result<List<Integer>> v;
        try (Pool pool = Pool.virtualThreads()) {
            v = Measure.median(rounds, () -> pool.map(nap, inputs, 1));
        }
        rows.add(
                List.of(
                        "virtual, one per task",
                        Measure.time(v.median()),
                        Measure.seconds(ms / 1000.0)));
        Report report =
                new Report(
                        title(),
                        "the GIL guide: \"for I/O-bound work with threads, you can use many more"
                                + " (tens or hundreds) since threads spend most time waiting\".",
                        List.of("threads", "time (median)", "ideal"),
                        rows,
                        List.of(
                                tasks
                                        + " tasks that each sleep "
                                        + ms
                                        + " ms; \"ideal\" is one wait per wave of the pool."));
        report =
                report.with(waitingVerdict(sizes, times, cores))
                        .with(
                                Chart.line(
                                        "Waiting: time against pool size",
                                        "threads",
                                        "seconds",
                                        List.of(
                                                new Chart.Series("Pool.threads(n)", xs, times),
                                                new Chart.Series("one wait per wave", xs, ideal))));
        if (settings.withPython()) {
            progress.step("the guide's Python");
            String list = String.join(",", sizes.stream().map(String::valueOf).toList());
            Map<String, Object> py = settings.python().run(id(), tasks, ms, list);
            List<String> cells = new ArrayList<>();
            for (int k : sizes) {
                cells.add(Measure.seconds(TinyTasks.num(py, String.valueOf(k))));
            }
            cells.add("-");
            report = report.withColumn(2, "Python threads", cells);
        }
        return report;
    }

    /**
     * The verdict on "many more threads than cores for waiting work", from the times by size.
     *
     * @param sizes the pool sizes tried
     * @param seconds the time at each
     * @param cores the cores
     * @return the verdict
     */
    static Verdict waitingVerdict(List<Integer> sizes, List<Double> seconds, int cores) {
        int at = sizes.indexOf(cores);
        double atCores = at < 0 ? seconds.getFirst() : seconds.get(at);
        double largest = seconds.getLast();
        String figures =
                sizes.getLast()
                        + " threads took "
                        + Measure.seconds(largest)
                        + " and "
                        + cores
                        + " (one per core) "
                        + Measure.seconds(atCores)
                        + ", "
                        + Measure.ratio(atCores / largest)
                        + " as long";
        if (atCores >= 4 * largest) {
            return Verdict.holds(
                    figures + ": waiting threads hold no core, so size the pool by the waits.");
        }
        return Verdict.differs(figures + ": more threads than cores did not help these waits.");
    }
}
