package dev.forkwise;

import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * When a task ran, by the wall clock (comparable across the JVMs of one machine), and how many such
 * intervals overlapped at most.
 *
 * @param startMicros start, in microseconds since the epoch
 * @param endMicros end, in microseconds since the epoch
 */
public record Intervals(long startMicros, long endMicros) implements Serializable {

    /** Sleeps {@code millis} and returns when that happened. */
    public static Intervals sleep(long millis) throws InterruptedException {
        long start = micros();
        Thread.sleep(millis);
        return new Intervals(start, micros());
    }

    private static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** The most intervals that overlap at one instant; touching ends do not overlap. */
    public static int maxOverlap(List<Intervals> runs) {
        List<long[]> events = new ArrayList<>();
        for (Intervals r : runs) {
            events.add(new long[] {r.startMicros, +1});
            events.add(new long[] {r.endMicros, -1});
        }
        events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        int now = 0;
        int max = 0;
        for (long[] e : events) {
            now += (int) e[1];
            max = Math.max(max, now);
        }
        return max;
    }
}
