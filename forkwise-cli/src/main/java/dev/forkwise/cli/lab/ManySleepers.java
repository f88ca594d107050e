package dev.forkwise.cli.lab;

import dev.forkwise.Fn;
import dev.forkwise.Pool;
import dev.forkwise.cli.Progress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The guides' "downloads" at scale: many tasks that each wait. The guides advise "tens or hundreds"
 * of threads for waiting work; virtual threads make it one thread per task, by the hundred
 * thousand.
 */
final class ManySleepers implements Experiment {

    private final int manyTasks;
    private final int someTasks;
    private final int platformThreads;
    private final Duration sleep;

    ManySleepers(int manyTasks, int someTasks, int platformThreads, Duration sleep) {
        this.manyTasks = manyTasks;
        this.someTasks = someTasks;
        this.platformThreads = platformThreads;
        this.sleep = sleep;
    }

    @Override
    public String id() {
        return "many-sleepers";
    }

    @Override
    public String title() {
        return Measure.count(manyTasks) + " tasks that each wait " + Measure.time(sleep);
    }

    @Override
    public Report run(Settings settings, Progress progress) throws Exception {
        long ms = sleep.toMillis();
        Fn<Integer, Integer> wait =
                x -> {
                    Thread.sleep(ms);
                    return x;
                };
        int rounds = settings.rounds(1, 3);
        record Variant(String name, int tasks, int parallel, Supplier<Pool> pool) {}
        List<Variant> variants =
                List.of(
                        new Variant(
                                "Pool.virtualThreads()",
                                manyTasks,
                                manyTasks,
                                Pool::virtualThreads),
                        new Variant(
                                "Pool.virtualThreads()",
                                someTasks,
                                someTasks,
                                Pool::virtualThreads),
                        new Variant(
                                "Pool.threads(" + Measure.count(platformThreads) + ")",
                                someTasks,
                                platformThreads,
                                () -> Pool.threads(platformThreads)));
        List<List<String>> rows = new ArrayList<>();
        Duration manyTime = null;
        List<Double> rates = new ArrayList<>();
        for (Variant v : variants) {
            progress.step(v.name() + " with " + Measure.count(v.tasks()) + " tasks");
            List<Integer> inputs = Collections.nCopies(v.tasks(), 1);
            Measure.Result<Integer> r =
                    Measure.median(
                            rounds,
                            () -> {
                                try (Pool pool = v.pool().get()) {
                                    return pool.map(wait, inputs).size();
                                }
                            });
            long waves = (v.tasks() + v.parallel() - 1) / v.parallel();
            Duration ideal = sleep.multipliedBy(waves);
            rows.add(
                    List.of(
                            v.name(),
                            Measure.count(v.tasks()),
                            Measure.time(r.median()),
                            Measure.time(ideal),
                            String.format(Locale.ROOT, "%,.0f", v.tasks() / r.seconds()),
                            r.value() == v.tasks() ? "ok" : "WRONG"));
            rates.add(v.tasks() / r.seconds());
            if (manyTime == null) {
                manyTime = r.median();
            }
        }
        List<String> findings =
                List.of(
                        Measure.count(manyTasks)
                                + " waiting tasks finished in "
                                + Measure.time(manyTime)
                                + " on virtual threads, one thread per task; \"ideal\" is the wait"
                                + " itself times the waves a pool of that size needs.",
                        "A platform-thread pool pays for its size in memory and start-up (about 1"
                                + " MiB of stack reserved per thread), so the guides cap it at tens"
                                + " or hundreds; for waiting work, use Pool.virtualThreads().");
        Report report =
                new Report(
                        title(),
                        "the GIL guide and the Understanding guide: for I/O-bound work \"use many"
                            + " more\" threads than cores, \"tens or hundreds\"; \"experiment to"
                            + " find the sweet spot\".",
                        List.of(
                                "how",
                                "tasks",
                                "time (median of " + rounds + ")",
                                "ideal",
                                "tasks/s",
                                "results"),
                        rows,
                        findings);
        report =
                report.with(verdict(manyTasks, manyTime, sleep, platformThreads))
                        .with(
                                Chart.bar(
                                        "Waiting tasks finished per second",
                                        "tasks/s",
                                        rows.stream()
                                                .map(r -> r.get(0) + " × " + r.get(1))
                                                .toList(),
                                        List.of(Chart.Series.bars("Java", rates))));
        if (settings.withPython()) {
            progress.step("the guide's Python: ThreadPoolExecutor(" + platformThreads + ")");
            Map<String, Object> py = settings.python().run(id(), someTasks, ms, platformThreads);
            double s = TinyTasks.num(py, "seconds");
            long waves = (someTasks + platformThreads - 1) / platformThreads;
            report =
                    report.withRow(
                            List.of(
                                    "Python ThreadPoolExecutor("
                                            + Measure.count(platformThreads)
                                            + ")",
                                    Measure.count(someTasks),
                                    Measure.seconds(s),
                                    Measure.time(sleep.multipliedBy(waves)),
                                    String.format(Locale.ROOT, "%,.0f", someTasks / s),
                                    "-"));
        }
        return report;
    }

    /**
     * The verdict on "for waiting work, tens or hundreds of threads", from the many-task run.
     *
     * @param tasks the waiting tasks run at once on virtual threads
     * @param took how long they took
     * @param sleep each task's wait
     * @param platform the largest platform-thread pool tried
     * @return the verdict
     */
    static Verdict verdict(int tasks, Duration took, Duration sleep, int platform) {
        double waits = took.toNanos() / (double) sleep.toNanos();
        String figures =
                Measure.count(tasks)
                        + " waiting tasks took "
                        + Measure.time(took)
                        + " on virtual threads, "
                        + String.format(Locale.ROOT, "%.1f", waits)
                        + " times one task's wait";
        if (waits <= 10) {
            return Verdict.differs(
                    figures
                            + ": Java waits with one virtual thread per task, far past the guides'"
                            + " tens or hundreds of threads (or a "
                            + Measure.count(platform)
                            + "-thread pool).");
        }
        return Verdict.holds(
                figures + ": this many waits at once did not pay here; keep pools bounded.");
    }
}
