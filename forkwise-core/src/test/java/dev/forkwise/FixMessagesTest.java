package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forkwise.ipc.SharedLock;
import dev.forkwise.ipc.SharedLong;
import dev.forkwise.ipc.SharedMap;
import dev.forkwise.ipc.SharedQueue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.TimeUnit;

/** Errors that used to send the user the wrong way: each now names the real fix. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FixMessagesTest {

    private static Pool processes;

    @BeforeAll
    static void start() {
        processes = Pool.processes(1);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        processes.shutdownNow();
        assertThat(processes.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        Workers.killAll();
    }

    @Test
    void aNullInputSaysWhatWorksOnEveryBackendNotOptional() {
        try (Pool threads = Pool.threads(1)) {
            for (Pool p : List.of(threads, processes)) {
                assertThatThrownBy(() -> p.map((Integer x) -> x, Arrays.asList(1, null)))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("map input #1 is null")
                        .hasMessageContaining("Optional cannot be sent to a worker JVM")
                        .hasMessageNotContaining("wrap optional values in Optional");
            }
        }
    }

    /** A class whose instance method a lambda calls, so the lambda captures {@code this}. */
    final class Report {
        int twice(int x) {
            return 2 * x;
        }

        Fn<Integer, Integer> task() {
            return x -> twice(x);
        }
    }

    @Test
    void aCapturedThisSaysToMakeTheMethodStatic() {
        assertThatThrownBy(() -> processes.map(new Report().task(), List.of(1)))
                .isInstanceOf(NotTransferableException.class)
                .hasMessageContaining("captured this (Report)")
                .hasMessageContaining("make that method static")
                .hasMessageNotContaining("mark the field transient");
    }

    @Test
    void aJdkWrapperAroundTheTaskSaysToUseForkwisesCalls() {
        ExecutorCompletionService<Integer> ecs = new ExecutorCompletionService<>(processes);
        assertThatThrownBy(() -> ecs.submit((Call<Integer>) () -> 1))
                .isInstanceOf(NotTransferableException.class)
                .hasMessageContaining("JDK wrapper around your task")
                .hasMessageContaining("Futures.asCompleted")
                .hasMessageNotContaining("mark the field transient");
    }

    @Test
    void anUnsendableInputSaysItIsAnInputNotACapture() {
        assertThatThrownBy(() -> processes.map((Object o) -> o.hashCode(), List.of(new Object())))
                .isInstanceOf(NotTransferableException.class)
                .hasMessageContaining("map input #0")
                .hasMessageContaining("an input must be serializable")
                .hasMessageNotContaining("capture only");
    }

    @Test
    void aSharedPrimitiveUsedAfterCloseNamesItselfAndTheFix() throws Exception {
        SharedLong counter = SharedLong.create(1);
        counter.close();
        assertThatThrownBy(counter::get)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SharedLong[")
                .hasMessageContaining("is closed")
                .hasMessageContaining("Keep it open while anything uses it");
        SharedLock lock = SharedLock.create();
        lock.close();
        assertThatThrownBy(lock::lock)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SharedLock[")
                .hasMessageContaining("is closed");
        SharedQueue<String> queue = SharedQueue.create(4);
        queue.close();
        assertThatThrownBy(() -> queue.put("x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SharedQueue[")
                .hasMessageContaining("is closed");
    }

    @Test
    void aSharedMapRefusesAnUnsendableValueAtPutInItsOwner() {
        try (SharedMap<String, Object> map = SharedMap.create()) {
            assertThatThrownBy(() -> map.put("conn", new Object()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("java.lang.Object cannot be sent to another process")
                    .hasMessageContaining("Store serializable values");
            assertThat(map.get("conn")).isNull();
            map.put("ok", List.of(1, 2));
            assertThat(map.snapshot()).containsOnlyKeys("ok");
        }
    }
}
