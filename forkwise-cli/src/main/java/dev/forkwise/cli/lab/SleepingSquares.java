package dev.forkwise.cli.lab;

import dev.forkwise.Fn;
import dev.forkwise.Pool;
import dev.forkwise.cli.Progress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Beginner's Guide's first example: square four numbers, each task sleeping one second,
 * sequentially and on threads. The guide claims the threaded version "still takes about 4 seconds"
 * because of the GIL; it does not, in Java or in Python, because a sleeping thread holds no CPU.
 */
final class SleepingSquares implements Experiment {

    private static final List<Integer> NUMBERS = List.of(1, 2, 3, 4);
    private static final List<Integer> SQUARES = List.of(1, 4, 9, 16);

    private final Duration sleep;

    SleepingSquares(Duration sleep) {
        this.sleep = sleep;
    }

    @Override
    public String id() {
        return "sleeping-squares";
    }

    @Override
    public String title() {
        return "Square four numbers, each task sleeping "
                + Measure.time(sleep)
                + " (Beginner's Guide)";
    }

    @Override
    public Report run(Settings settings, Progress progress) throws Exception {
        long ms = sleep.toMillis();
        Fn<Integer, Integer> square =
                n -> {
                    Thread.sleep(ms);
                    return n * n;
                };
        int rounds = settings.rounds(1, 3);
        List<List<String>> rows = new ArrayList<>();

        progress.step("sequential loop");
        Measure.Result<List<Integer>> seq =
                Measure.median(
                        rounds,
                        () -> {
                            List<Integer> out = new ArrayList<>();
                            for (int n : NUMBERS) {
                                out.add(square.apply(n));
                            }
                            return out;
                        });
        rows.add(Measure.row("sequential loop", "1", seq, seq, check(seq)));

        record Variant(String name, String workers, Supplier<Pool> pool) {}
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("Pool.threads(4)", "4", () -> Pool.threads(4)));
        variants.add(new Variant("Pool.virtualThreads()", "one per task", Pool::virtualThreads));
        if (!settings.quick()) {
            variants.add(new Variant("Pool.threads(2)", "2", () -> Pool.threads(2)));
        }
        List<Double> times = new ArrayList<>();
        Measure.Result<List<Integer>> threads4 = null;
        Measure.Result<List<Integer>> threads2 = null;
        for (Variant v : variants) {
            progress.step(v.name());
            Measure.Result<List<Integer>> r =
                    Measure.median(
                            rounds,
                            () -> {
                                try (Pool pool = v.pool().get()) {
                                    return pool.map(square, NUMBERS);
                                }
                            });
            rows.add(Measure.row(v.name(), v.workers(), r, seq, check(r)));
            times.add(r.seconds());
            if (v.name().equals("Pool.threads(4)")) {
                threads4 = r;
            } else if (v.name().equals("Pool.threads(2)")) {
                threads2 = r;
            }
        }

        List<String> findings =
                threads2 == null
                        ? List.of(
                                "Virtual threads give every waiting task its own thread at almost"
                                        + " no cost.")
                        : List.of(
                                "Two threads took "
                                        + Measure.time(threads2.median())
                                        + ": two waves of two. For waiting work the pool size, not"
                                        + " the core count, sets the pace; virtual threads give"
                                        + " every task its own thread at almost no cost.");
        Report report =
                new Report(
                        title(),
                        "the Beginner's Guide: with threads \"it still takes about 4 seconds\" (the"
                            + " GIL makes them take turns); with processes \"just over 1 second\".",
                        Measure.speedupHeader(rounds),
                        rows,
                        findings);
        List<String> names = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        names.add("sequential loop");
        seconds.add(seq.seconds());
        for (int i = 0; i < variants.size(); i++) {
            names.add(variants.get(i).name());
            seconds.add(times.get(i));
        }
        report =
                report.with(verdict(seq.seconds(), threads4.seconds(), sleep.toNanos() / 1e9))
                        .with(
                                Chart.bar(
                                        "Four 1-second sleeps: time by how they ran",
                                        "seconds",
                                        names,
                                        List.of(Chart.Series.bars("Java", seconds))));
        if (settings.withPython()) {
            progress.step("the guide's Python");
            Map<String, Object> py = settings.python().run(id(), sleep.toMillis() / 1000.0);
            List<String> cells = new ArrayList<>();
            cells.add(Measure.seconds(TinyTasks.num(py, "loop")));
            for (Variant v : variants) {
                String key = "threads" + v.workers();
                cells.add(py.containsKey(key) ? Measure.seconds(TinyTasks.num(py, key)) : "-");
            }
            report = report.withColumn(3, "Python", cells);
        }
        return report;
    }

    /**
     * The verdict on "threads still take about 4 seconds", from the loop's time and four threads'.
     *
     * @param loop the sequential loop's seconds
     * @param threads4 four threads' seconds
     * @param sleep one task's sleep, in seconds
     * @return the verdict
     */
    static Verdict verdict(double loop, double threads4, double sleep) {
        String figures =
                "four threads took "
                        + Measure.seconds(threads4)
                        + " against the loop's "
                        + Measure.seconds(loop)
                        + " ("
                        + Measure.ratio(loop / threads4)
                        + " as fast)";
        // "about 4 seconds" is four sleeps; closer to one sleep than to two means they overlapped
        if (threads4 < 2 * sleep) {
            return Verdict.notEvenInPython(
                    figures
                            + ": a sleeping thread holds no CPU, and CPython's time.sleep"
                            + " releases the GIL, so Python's threads sleep at once too.");
        }
        return Verdict.holds(figures + ": the threads took turns.");
    }

    private static String check(Measure.Result<List<Integer>> r) {
        return r.value().equals(SQUARES) ? "ok" : "WRONG " + r.value();
    }
}
