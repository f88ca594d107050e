package dev.forkwise.cli.lab;

import dev.forkwise.Fn;
import dev.forkwise.Pool;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Seed 001's first example: square four numbers, each task sleeping one second, sequentially and on
 * threads. The seed claims the threaded version "still takes about 4 seconds" because of the GIL;
 * it does not, in Java or in Python, because a sleeping thread holds no CPU.
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
        return "Seed 001: square four numbers, each task sleeping " + Measure.time(sleep);
    }

    @Override
    public Report run(Settings settings, PrintWriter progress) throws Exception {
        long ms = sleep.toMillis();
        Fn<Integer, Integer> square =
                n -> {
                    Thread.sleep(ms);
                    return n * n;
                };
        int rounds = settings.rounds(1, 3);
        List<List<String>> rows = new ArrayList<>();

        progress.println("  sequential loop ...");
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
        List<Variant> variants =
                List.of(
                        new Variant("Pool.threads(4)", "4", () -> Pool.threads(4)),
                        new Variant("Pool.virtualThreads()", "one per task", Pool::virtualThreads),
                        new Variant("Pool.threads(2)", "2", () -> Pool.threads(2)));
        Measure.Result<List<Integer>> threads4 = null;
        Measure.Result<List<Integer>> threads2 = null;
        for (Variant v : variants) {
            progress.println("  " + v.name() + " ...");
            Measure.Result<List<Integer>> r =
                    Measure.median(
                            rounds,
                            () -> {
                                try (Pool pool = v.pool().get()) {
                                    return pool.map(square, NUMBERS);
                                }
                            });
            rows.add(Measure.row(v.name(), v.workers(), r, seq, check(r)));
            if (v.name().equals("Pool.threads(4)")) {
                threads4 = r;
            } else if (v.name().equals("Pool.threads(2)")) {
                threads2 = r;
            }
        }

        List<String> findings =
                List.of(
                        "Four threads took "
                                + Measure.time(threads4.median())
                                + ", not the ~4 s the seed expects: a sleeping thread waits without"
                                + " holding a CPU, so all four sleep at once. (This holds in Python"
                                + " too: time.sleep releases the GIL.)",
                        "Two threads took "
                                + Measure.time(threads2.median())
                                + ": two waves of two. For waiting work the pool size, not the core"
                                + " count, sets the pace; virtual threads give every task its own"
                                + " thread at almost no cost.");
        return new Report(
                title(),
                "with threads \"it still takes about 4 seconds\" (the GIL makes them take"
                        + " turns); with processes \"just over 1 second\".",
                List.of("how", "workers", "time (median of " + rounds + ")", "speedup", "results"),
                rows,
                findings);
    }

    private static String check(Measure.Result<List<Integer>> r) {
        return r.value().equals(SQUARES) ? "ok" : "WRONG " + r.value();
    }
}
