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
    void aThreadsSchedstatIsFoundByItsTaskIdSoThatAnotherThreadCanReadIt() throws Exception {
        assumeTrue(Files.isReadable(SCHEDSTAT), "Linux with schedstat");
        String[] path = new String[1];
        long[] delays = new long[3];
        Thread t = new Thread(() -> {
            path[0] = AutoBackend.ownSchedstat();
            delays[0] = AutoBackend.runDelay();
            delays[1] = AutoBackend.runDelay(path[0]);
            delays[2] = AutoBackend.runDelay();
        });
        t.start();
        t.join();
        long pid = ProcessHandle.current().pid();
        assertThat(path[0]).matches("/proc/" + pid + "/task/\\d+/schedstat").isNotEqualTo("/proc/" + pid + "/task/" + pid + "/schedstat");
        assertThat(delays[1]).isBetween(delays[0], delays[2]);
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
