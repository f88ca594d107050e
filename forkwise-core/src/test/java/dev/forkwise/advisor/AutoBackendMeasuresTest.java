package dev.forkwise.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The automatic pool's own clocks: time waiting for a core, and time stopped for garbage collection. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AutoBackendMeasuresTest {

    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");

    @Test
    void runDelayIsTheSecondFieldOfTheThreadsSchedstat() throws Exception {
        assumeTrue(Files.isReadable(SCHEDSTAT), "Linux with schedstat");
        for (int i = 0; i < 20; i++) {
            long before = AutoBackend.runDelay();
            long read = Long.parseLong(Files.readString(SCHEDSTAT).trim().split(" ")[1]);
            long after = AutoBackend.runDelay();
            assertThat(read).isBetween(before, after);
            Thread.yield(); // a chance to wait for a core between rounds
        }
    }

    @Test
    void aFullCollectionWithLiveDataCountsAsPauseTime() {
        List<int[]> live = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            live.add(new int[4_096]); // 64 MiB that the collection has to walk or move
        }
        long before = AutoBackend.gcPauseMillis();
        System.gc();
        long after = AutoBackend.gcPauseMillis();
        assertThat(live).hasSize(4_000);
        assertThat(after).as("pause milliseconds after System.gc() with 64 MiB live").isGreaterThan(before);
    }
}
