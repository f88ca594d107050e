package dev.forkwise.cli.lab;

import dev.forkwise.Call;
import dev.forkwise.Fn;
import dev.forkwise.Pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Timing and number formatting for the lab. */
final class Measure {

    private Measure() {}

    /**
     * What repeated runs of one body measured.
     *
     * @param median the median wall time
     * @param value what the last run returned
     */
    record Result<T>(Duration median, T value) {
        double seconds() {
            return median.toNanos() / 1e9;
        }
    }

    /** Runs {@code body} {@code rounds} times and returns the median wall time. */
    static <T> Result<T> median(int rounds, Call<T> body) throws Exception {
        List<Long> times = new ArrayList<>(rounds);
        T last = null;
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            last = body.call();
            times.add(System.nanoTime() - start);
        }
        times.sort(null);
        return new Result<>(Duration.ofNanos(times.get(times.size() / 2)), last);
    }

    /** The median of {@code rounds} plain loops that apply {@code fn} to every input in turn. */
    static <T, R> Result<List<R>> loop(int rounds, List<T> inputs, Fn<T, R> fn) throws Exception {
        return median(
                rounds,
                () -> {
                    List<R> out = new ArrayList<>(inputs.size());
                    for (T x : inputs) {
                        out.add(fn.apply(x));
                    }
                    return out;
                });
    }

    /**
     * The median of {@code rounds} maps on {@code pool}, one input per task, after {@code warmups}
     * maps that are not timed (they start workers and warm their JIT).
     */
    static <T, R> Result<List<R>> onPool(
            Pool pool, int warmups, int rounds, Fn<T, R> fn, List<T> inputs) throws Exception {
        for (int i = 0; i < warmups; i++) {
            pool.map(fn, inputs, 1);
        }
        return median(rounds, () -> pool.map(fn, inputs, 1));
    }

    /** The results cell of a run whose every value must equal {@code want}: "ok" or "WRONG". */
    static String allEqual(Result<? extends List<?>> r, Object want) {
        return r.value().stream().allMatch(want::equals) ? "ok" : "WRONG";
    }

    /** The columns of a table of runs against a loop. */
    static List<String> speedupHeader(int rounds) {
        return List.of("how", "workers", "time (median of " + rounds + ")", "speedup", "results");
    }

    /**
     * One row of an experiment's table: how it ran, with how many workers, its median time, its
     * speedup over {@code base}, and whether its results were right.
     */
    static List<String> row(String how, String workers, Result<?> r, Result<?> base, String check) {
        return List.of(how, workers, time(r.median()), ratio(base.seconds() / r.seconds()), check);
    }

    /** Formats a duration as seconds or milliseconds, three significant places. */
    static String time(Duration d) {
        double s = d.toNanos() / 1e9;
        if (s >= 1) {
            return String.format(Locale.ROOT, "%.2f s", s);
        }
        if (s >= 0.001) {
            return String.format(Locale.ROOT, "%.1f ms", s * 1e3);
        }
        return String.format(Locale.ROOT, "%.1f µs", s * 1e6);
    }

    /** Formats seconds as {@link #time(Duration)} does. */
    static String seconds(double s) {
        return time(Duration.ofNanos((long) (s * 1e9)));
    }

    /** Formats a ratio as {@code 3.97×}. */
    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f×", r);
    }

    /** Formats a whole number with thousands separators. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
