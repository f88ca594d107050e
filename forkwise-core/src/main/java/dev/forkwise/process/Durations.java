package dev.forkwise.process;

import java.time.Duration;
import java.util.Locale;

/**
 * Durations as people write them in messages: {@code 250 ms}, {@code 30 s}, {@code 1.5 s}, {@code 2
 * min}.
 */
public final class Durations {

    private Durations() {}

    /**
     * Formats {@code d} for a message.
     *
     * @param d a duration
     * @return for example {@code 250 ms}, {@code 30 s}, {@code 1.5 s}, {@code 2 min}
     */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1_000) {
            return ms + " ms";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + " min";
        }
        return ms % 1_000 == 0
                ? ms / 1_000 + " s"
                : String.format(Locale.ROOT, "%.1f s", ms / 1_000.0);
    }
}
