package dev.forkwise.cli.lab;

import dev.forkwise.Advice;
import dev.forkwise.Advisor;
import dev.forkwise.AutoPool;
import dev.forkwise.Fn;
import dev.forkwise.Pool;
import dev.forkwise.ProcessOptions;
import dev.forkwise.WorkerJvms;
import dev.forkwise.cli.Progress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * The advisor against the guides' decision tree: for each kind of lab workload (computing, waiting,
 * computing behind a global lock, tiny tasks, a mix), the {@link Advisor}'s verdict, the time of
 * every fixed choice (platform threads, virtual threads, worker JVMs, each new for the job) and of
 * {@link Pool#auto()}, which decides by itself. Issue 5's benchmark: {@code Pool.auto()} should be
 * within 10% of the best fixed choice on each workload and better than any one fixed choice across
 * all of them.
 */
final class AutoVersusFixed implements Experiment {

    private static final Object LOCK = new Object();

    /**
     * A job shorter than this runs {@link #TRIES} times and counts its best: noise is a large share
     * of it. On a shared two-core machine a 50-70 ms job varied by 10-40% from run to run (the
     * heap's size after the collection before it, the scheduler), as much as the differences the
     * table is there to show; five tries cost a few seconds. The automatic pool and the fastest
     * fixed choice, the two that each row's ratio compares, run {@link #TRIES} times whatever their
     * time: one slow first run over this line would otherwise stand for the choice.
     */
    private static final double REPEAT_UNDER_SECONDS = 1.0;

    private static final int TRIES = 5;

    /** This run's tries: {@link #TRIES}, or 1 in a quick run. */
    private int tries = TRIES;

    @Override
    public String id() {
        return "auto-vs-fixed";
    }

    @Override
    public String title() {
        return "Pool.auto() and the advisor's verdict against each fixed choice, on five kinds of"
                + " work";
    }

    /**
     * One kind of work: the task, its inputs, the chunk size ({@code 0}: automatic) and how many of
     * the inputs an untimed warm-up runs first.
     */
    private record Work(
            String name, Fn<Integer, Long> task, List<Integer> inputs, int chunk, int warmup) {
        /**
         * Maps the task over {@code some} of the inputs on {@code pool}, with this work's chunk
         * size.
         */
        List<Long> mapOn(Pool pool, List<Integer> some) {
            return chunk == 0 ? pool.map(task, some) : pool.map(task, some, chunk);
        }

        /** The work's name in a table: the part before the colon. */
        String label() {
            return name.contains("lock") ? "behind one lock" : name.split(":")[0];
        }
    }

    static long sum(int n) {
        long s = 0;
        for (long i = 0; i < n; i++) {
            s += i * i;
        }
        return s;
    }

    static long lockedSum(int n) {
        synchronized (LOCK) {
            return sum(n);
        }
    }

    static long nap(int millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }

    static long half(int millis) throws InterruptedException {
        long cpuEnd = System.nanoTime() + millis * 1_000_000L;
        long s = 0;
        while (System.nanoTime() < cpuEnd) {
            s += sum(1_000);
        }
        Thread.sleep(millis);
        return s;
    }

    /**
     * A task of about 0.15 µs (256 multiply-adds): far less than handing it to any thread or
     * process costs, as the guides' {@code x * 2} is in Python. A bare {@code x * x} (a nanosecond)
     * made a map of 2,000,000 a 20 ms job on two cores, in which the run-to-run noise and any
     * pool's fixed cost (its threads; {@code Pool.auto()}'s monitor and probe, about 1 ms) were as
     * large as the differences the table is there to show. Mapping it several times over instead
     * made the job allocate ten times as much, and the heap's page faults then varied it threefold.
     */
    static long tiny(int x) {
        long s = x;
        for (int i = 0; i < 256; i++) {
            s += (long) (x ^ i) * i;
        }
        return s;
    }

    @Override
    public Report run(Settings settings, Progress progress) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        // jobs of a second or more on one core, so that starting worker JVMs and the automatic
        // pool's probe are a part of the job, as they are of real ones, not all of it
        // quick: half-size jobs (a quarter for tiny work, whose worst choice takes seconds), tried
        // once instead of five times
        boolean quick = settings.quick();
        int jobs = quick ? 6 * cores : 36 * cores;
        tries = quick ? 1 : TRIES;
        List<Work> works =
                List.of(
                        new Work(
                                "computing: sum of squares",
                                AutoVersusFixed::sum,
                                Collections.nCopies(jobs, 100_000_000),
                                1,
                                cores),
                        new Work(
                                "waiting: 50 ms sleeps",
                                AutoVersusFixed::nap,
                                Collections.nCopies(quick ? 50 : 1_000, 50),
                                1,
                                cores),
                        new Work(
                                "computing behind one global lock",
                                AutoVersusFixed::lockedSum,
                                Collections.nCopies(jobs, 100_000_000),
                                1,
                                cores),
                        new Work(
                                "tiny: 0.15 µs each (256 multiply-adds)",
                                AutoVersusFixed::tiny,
                                IntStream.range(0, quick ? 500_000 : 6_000_000).boxed().toList(),
                                0,
                                quick ? 500_000 : 6_000_000),
                        new Work(
                                "mixed: 5 ms CPU + 5 ms sleep",
                                AutoVersusFixed::half,
                                Collections.nCopies(quick ? 75 : 450, 5),
                                1,
                                8 * cores));
        Map<String, Supplier<? extends Pool>> fixed = new LinkedHashMap<>();
        fixed.put("Pool.threads(" + cores + ")", () -> Pool.threads(cores));
        fixed.put("Pool.virtualThreads()", Pool::virtualThreads);
        fixed.put("Pool.processes(" + cores + ")", () -> Pool.processes(cores));

        // each run starts from a collection: without this, the heap's regrowth after it (60-70 ms
        // of the tiny job's first version) went to whichever choice drew it
        try (HeapKept kept = HeapKept.now()) {
            return run(works, fixed, progress);
        }
    }

    private Report run(
            List<Work> works, Map<String, Supplier<? extends Pool>> fixed, Progress progress)
            throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        // the first pool of worker JVMs would otherwise train the workers' AOT cache in the
        // background, on the same cores, while the next pools are timed
        progress.step("preparing the worker JVMs' AOT cache");
        WorkerJvms.prepareStartUp(ProcessOptions.ofWorkers(1));
        // likewise the automatic pool's own first use in this JVM (its classes, the management
        // beans it reads, its first decision) would otherwise fall into its first timed job
        try (Pool warm = Pool.auto()) {
            warm.map(AutoVersusFixed::nap, Collections.nCopies(4 * cores, 5), 1);
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> findings = new ArrayList<>();
        double[] fixedTotal = new double[fixed.size()];
        List<String> bestNames = new ArrayList<>();
        List<List<Double>> relative = new ArrayList<>();
        for (int k = 0; k <= fixed.size(); k++) {
            relative.add(new ArrayList<>());
        }
        double autoTotalRatio = 0;
        int autoWithin10 = 0;
        for (Work w : works) {
            progress.step(w.name() + ": the advisor");
            Advice advice =
                    Advisor.measure(
                            w.task(), w.inputs().subList(0, Math.min(8, w.inputs().size())));
            // the JIT compiles the task and the pools' own code in whichever run comes first: a
            // warm-up (untimed) keeps that cost out of the first choice's time
            try (Pool warm = Pool.threads(cores)) {
                w.mapOn(warm, w.inputs().subList(0, w.warmup()));
            }
            // every choice, auto fourth, in rounds: a job under REPEAT_UNDER_SECONDS, and the two
            // the row compares (Pool.auto() and the best fixed choice so far), run again in the
            // next rounds (best of TRIES: one slow first run over a second would otherwise stand)
            // and each round starts with the next choice, so that
            // none of them always runs right after the same other one (whose garbage and JIT
            // state it would inherit)
            List<Map.Entry<String, Supplier<? extends Pool>>> choices =
                    new ArrayList<>(fixed.entrySet());
            choices.add(Map.entry("Pool.auto()", Pool::auto));
            double[] all = new double[choices.size()];
            String[] decisions = new String[choices.size()];
            Arrays.fill(all, Double.MAX_VALUE);
            for (int round = 0; round < tries; round++) {
                for (int j = 0; j < choices.size(); j++) {
                    int k = (j + round) % choices.size();
                    if (round > 0
                            && all[k] >= REPEAT_UNDER_SECONDS
                            && !comparedInTheRow(k, all, fixed.size())) {
                        continue;
                    }
                    progress.step(
                            w.name()
                                    + ": "
                                    + choices.get(k).getKey()
                                    + (round > 0 ? " (again)" : ""));
                    String[] decided = new String[1];
                    double t = time(choices.get(k).getValue(), w, decided);
                    if (t < all[k]) {
                        all[k] = t;
                        decisions[k] = decided[0];
                    }
                }
            }
            double[] seconds = Arrays.copyOf(all, fixed.size());
            double auto = all[fixed.size()];
            int best = fastest(seconds, seconds.length);
            for (int k = 0; k < seconds.length; k++) {
                fixedTotal[k] += seconds[k] / seconds[best];
            }
            double ratio = auto / seconds[best];
            bestNames.add(new ArrayList<>(fixed.keySet()).get(best));
            for (int k = 0; k < seconds.length; k++) {
                relative.get(k).add(seconds[k] / seconds[best]);
            }
            relative.get(seconds.length).add(ratio);
            autoTotalRatio += ratio;
            autoWithin10 += ratio <= 1.10 ? 1 : 0;
            List<String> names = new ArrayList<>(fixed.keySet());
            rows.add(
                    List.of(
                            w.label(),
                            shortBackend(
                                    advice.backend()
                                                    .name()
                                                    .toLowerCase(Locale.ROOT)
                                                    .replace('_', ' ')
                                            + " × "
                                            + advice.poolSize()),
                            secs(seconds[0]),
                            secs(seconds[1]),
                            secs(seconds[2]),
                            secs(auto),
                            Measure.ratio(ratio),
                            shortBackend(decisions[fixed.size()]),
                            shortChoice(names.get(best))));
        }
        List<String> names = new ArrayList<>(fixed.keySet());
        StringBuilder totals = new StringBuilder();
        for (int k = 0; k < names.size(); k++) {
            totals.append(names.get(k))
                    .append(' ')
                    .append(Measure.ratio(fixedTotal[k] / works.size()))
                    .append(", ");
        }
        findings.add(
                "Mean time over the best fixed choice, across the five: "
                        + totals
                        + "Pool.auto() "
                        + Measure.ratio(autoTotalRatio / works.size())
                        + ".");
        findings.add(
                "Pool.auto() was within 10% of the best fixed choice on "
                        + autoWithin10
                        + " of "
                        + works.size()
                        + " workloads. Each pool is new for each job, so the times include starting"
                        + " it (worker JVMs, and Pool.auto()'s probe of its first tasks). "
                        + (tries == 1
                                ? "Each job ran once (a quick run): expect noise of 10-40% on"
                                        + " jobs under a second."
                                : "A job under "
                                        + secs(REPEAT_UNDER_SECONDS)
                                        + ", and Pool.auto() and the best fixed choice of each"
                                        + " workload, are the best of "
                                        + tries
                                        + " runs."));
        Report report =
                new Report(
                                title(),
                                "the Python guides: \"mostly waiting → threads, mostly computing →"
                                        + " processes, tiny → neither\", applied by guess.",
                                List.of(
                                        "workload",
                                        "advisor says",
                                        shortChoice(names.get(0)),
                                        shortChoice(names.get(1)),
                                        shortChoice(names.get(2)),
                                        "auto",
                                        "auto / best",
                                        "auto chose",
                                        "best fixed"),
                                rows,
                                findings)
                        .dropping("best fixed", "auto chose");
        List<String> choiceNames = new ArrayList<>(fixed.keySet());
        choiceNames.add("Pool.auto()");
        List<Chart.Series> series = new ArrayList<>();
        for (int k = 0; k < choiceNames.size(); k++) {
            series.add(Chart.Series.bars(choiceNames.get(k), relative.get(k)));
        }
        return report.with(verdict(bestNames.get(0), bestNames.get(1), bestNames.get(2)))
                .with(
                        Chart.bar(
                                "Each choice's time over the best fixed choice (lower is better)",
                                "× the best",
                                works.stream().map(Work::label).toList(),
                                series));
    }

    /**
     * The verdict on the guides' rule of thumb, from the fastest fixed choice for the computing,
     * waiting and global-lock workloads.
     *
     * @param computing the fastest fixed choice for plain computing
     * @param waiting the fastest for waiting
     * @param locked the fastest for computing behind one global lock
     * @return the verdict
     */
    static Verdict verdict(String computing, String waiting, String locked) {
        String figures =
                "computing ran fastest on "
                        + computing
                        + ", waiting on "
                        + waiting
                        + ", computing behind one lock on "
                        + locked;
        if (computing.startsWith("Pool.processes")) {
            return Verdict.holds(figures + ": processes for computing, as the guides say.");
        }
        return Verdict.differs(
                figures
                        + ": with no GIL, Java computes on threads"
                        + (locked.startsWith("Pool.processes")
                                ? "; processes pay off only behind a lock that serializes threads."
                                : "; even behind one lock these jobs were too short for worker JVMs"
                                        + " to pay for their start."));
    }

    /**
     * Whether choice {@code k} is one of the two figures the row's ratio compares: the automatic
     * pool (index {@code fixedCount}) or the fastest fixed choice so far.
     */
    private static boolean comparedInTheRow(int k, double[] best, int fixedCount) {
        return k == fixedCount || k == fastest(best, fixedCount);
    }

    /** The index of the smallest of the first {@code count} times (the first of equals). */
    private static int fastest(double[] seconds, int count) {
        int fastest = 0;
        for (int k = 1; k < count; k++) {
            fastest = seconds[k] < seconds[fastest] ? k : fastest;
        }
        return fastest;
    }

    /**
     * Seconds from creating the pool to the last result; an automatic pool's last decision goes to
     * {@code decided[0]}.
     */
    private static double time(Supplier<? extends Pool> make, Work w, String[] decided)
            throws InterruptedException {
        // each run starts with the heap as empty as the last one's: a collection of the garbage
        // an earlier run left would otherwise fall into whichever run comes next (the heap keeps
        // its size: HeapKept)
        System.gc();
        long t = System.nanoTime();
        try (Pool pool = make.get()) {
            List<Long> out = w.mapOn(pool, w.inputs());
            if (out.size() != w.inputs().size()) {
                throw new IllegalStateException(
                        w.name()
                                + ": "
                                + out.size()
                                + " results for "
                                + w.inputs().size()
                                + " inputs");
            }
            if (pool instanceof AutoPool a) {
                decided[0] =
                        a.decisions().isEmpty() ? "undecided" : describe(a.decisions().getLast());
                if (System.getProperty("forkwise.lab.debug") != null) {
                    a.decisions().forEach(System.err::println);
                }
            }
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        // worker JVMs still exiting would take the cores from the next pool timed: wait them out
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ProcessHandle.current().children().anyMatch(ProcessHandle::isAlive)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return seconds;
    }

    private static String describe(AutoPool.Decision d) {
        return d.backend().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " × " + d.size();
    }

    /** "Pool.threads(2)" as "threads(2)", "Pool.virtualThreads()" as "virtual". */
    static String shortChoice(String pool) {
        return pool.replace("Pool.", "").replace("virtualThreads()", "virtual").replace("()", "");
    }

    /** "platform threads × 2" as "threads × 2", "virtual threads × 986" as "virtual × 986". */
    static String shortBackend(String backend) {
        return backend.replace("platform threads", "threads").replace("virtual threads", "virtual");
    }

    private static String secs(double s) {
        return Measure.time(Duration.ofNanos((long) (s * 1e9)));
    }
}
