package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A process pool shows up in a JFR recording: workers starting and exiting, tasks running. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessEventsTest {

    @TempDir Path tmp;

    @AfterEach
    void noWorkerLeft() {
        Workers.killAll();
    }

    @Test
    void workerStartTaskAndCrashAreRecorded() throws Exception {
        Path file = tmp.resolve("pool.jfr");
        long crashedPid;
        try (Recording r = new Recording()) {
            r.enable("dev.forkwise.WorkerStart");
            r.enable("dev.forkwise.WorkerExit");
            r.enable("dev.forkwise.Task");
            r.start();
            try (Pool pool = Pool.processes(1)) {
                assertThat(pool.map((Integer x) -> x + 1, List.of(1, 2, 3), 1))
                        .containsExactly(2, 3, 4);
                CompletableFuture<Long> crash =
                        pool.submit(
                                () -> {
                                    Runtime.getRuntime().halt(5);
                                    return 0L;
                                });
                crashedPid =
                        crash.handle((v, e) -> ((WorkerCrashedException) e).pid())
                                .get(30, TimeUnit.SECONDS);
                assertThat(pool.submit(() -> "after").get(30, TimeUnit.SECONDS)).isEqualTo("after");
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        assertThat(events)
                .filteredOn(e -> e.getEventType().getName().equals("dev.forkwise.WorkerStart"))
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(events)
                .filteredOn(e -> e.getEventType().getName().equals("dev.forkwise.Task"))
                .filteredOn(e -> e.getString("outcome").equals("ok"))
                .hasSizeGreaterThanOrEqualTo(4);
        assertThat(events)
                .filteredOn(e -> e.getEventType().getName().equals("dev.forkwise.WorkerExit"))
                .anySatisfy(
                        e -> {
                            assertThat(e.getLong("pid")).isEqualTo(crashedPid);
                            assertThat(e.getInt("exitCode")).isEqualTo(5);
                            assertThat(e.getBoolean("crashed")).isTrue();
                        });
    }
}
