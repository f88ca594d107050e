package dev.forkwise.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forkwise.Advice;
import dev.forkwise.AutoPool;
import dev.forkwise.Fn;
import dev.forkwise.Pool;
import dev.forkwise.Workers;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Pool#auto()} decides from its first tasks, says why, and decides again when they change.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AutoPoolTest {

    @TempDir Path tmp;

    @AfterEach
    void killWorkers() {
        Workers.killAll();
    }

    @Test
    void waitingTasksMoveToVirtualThreadsAndTheDecisionSaysWhy() throws Exception {
        try (AutoPool pool = Pool.auto(64)) {
            Fn<Integer, Long> nap = AdvisorTest::sleep;
            List<Long> out = pool.map(nap, Collections.nCopies(64, 20), 1);
            assertThat(out).hasSize(64).containsOnly(20L);
            AutoPool.Decision d = pool.decisions().getFirst();
            assertThat(d.kind()).isEqualTo(Advice.Kind.WAITING);
            assertThat(d.backend()).isEqualTo(Advice.Backend.VIRTUAL_THREADS);
            assertThat(d.size()).isEqualTo(64);
            assertThat(String.join(" ", d.reasons())).containsPattern("\\d").contains("wait");
        }
    }

    @Test
    void computingTasksStayOnOnePlatformThreadPerCore() throws Exception {
        try (AutoPool pool = Pool.auto(64)) {
            Fn<Integer, Long> spin = AdvisorTest::spin;
            pool.map(spin, Collections.nCopies(40, 2_000), 1);
            AutoPool.Decision d = pool.decisions().getFirst();
            assertThat(d.kind()).as(d.toString()).isEqualTo(Advice.Kind.COMPUTING);
            assertThat(d.backend()).isEqualTo(Advice.Backend.PLATFORM_THREADS);
            assertThat(d.size()).isEqualTo(Sizing.cores());
            assertThat(String.join(" ", d.reasons())).containsPattern("\\d+% CPU");
        }
    }

    @Test
    void tasksThatComputeAndThenSleepGetMorePlatformThreadsThanCoresNotVirtualThreads()
            throws Exception {
        try (AutoPool pool = Pool.auto(64)) {
            // 4 ms of CPU, then 4 ms asleep: asleep whenever the other half of the pool is, but
            // only after computing, which is not waiting work
            Fn<Integer, Long> mixed = AdvisorTest::mixed;
            List<Long> out = pool.map(mixed, Collections.nCopies(48, 4), 1);
            assertThat(out).hasSize(48).containsOnly(4L);
            AutoPool.Decision d = pool.decisions().getFirst();
            assertThat(d.kind()).as(d.toString()).isEqualTo(Advice.Kind.MIXED);
            assertThat(d.backend()).isEqualTo(Advice.Backend.PLATFORM_THREADS);
            assertThat(d.size()).as(d.toString()).isGreaterThan(Sizing.cores());
        }
    }

    @Test
    void tasksBehindOneGlobalLockMoveToWorkerJvms() throws Exception {
        try (AutoPool pool = Pool.auto(8)) {
            Fn<Integer, Long> locked = AdvisorTest::lockedSpin;
            List<Long> out = pool.map(locked, Collections.nCopies(60, 3_000), 1);
            assertThat(out).hasSize(60);
            AutoPool.Decision d = pool.decisions().getFirst();
            assertThat(d.kind())
                    .as(d.toString())
                    .isEqualTo(Advice.Kind.COMPUTING_BEHIND_A_GLOBAL_LOCK);
            assertThat(d.backend()).isEqualTo(Advice.Backend.PROCESSES);
            assertThat(Workers.live()).as("the worker JVMs it moved to").isNotEmpty();
        }
    }

    @Test
    void whenTheTasksChangeItProbesAgainAndRecordsEachDecisionInJfr() throws Exception {
        Path file = tmp.resolve("auto.jfr");
        try (Recording r = new Recording()) {
            r.enable("dev.forkwise.AutoDecision");
            r.start();
            try (AutoPool pool = Pool.auto(32)) {
                Fn<Integer, Long> spin = AdvisorTest::spin;
                Fn<Integer, Long> nap = AdvisorTest::sleep;
                pool.map(spin, Collections.nCopies(200, 200), 1); // computing, 0.2 ms each
                pool.map(
                        nap, Collections.nCopies(400, 5), 1); // then waiting, 5 ms each: 25× longer
                List<AutoPool.Decision> ds = pool.decisions();
                assertThat(ds).as("%s", ds).hasSizeGreaterThanOrEqualTo(2);
                assertThat(ds.getFirst().kind()).isEqualTo(Advice.Kind.COMPUTING);
                assertThat(ds.getLast().kind()).isEqualTo(Advice.Kind.WAITING);
                assertThat(ds.getLast().backend()).isEqualTo(Advice.Backend.VIRTUAL_THREADS);
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events =
                RecordingFile.readAllEvents(file).stream()
                        .filter(e -> e.getEventType().getName().equals("dev.forkwise.AutoDecision"))
                        .toList();
        assertThat(events).hasSizeGreaterThanOrEqualTo(2);
        assertThat(events.getFirst().getString("backend")).isEqualTo("PLATFORM_THREADS");
        assertThat(events.getLast().getString("reasons")).isNotBlank();
    }

    /**
     * {@code shutdownNow} racing the hand-off of tasks to a lane, over many seeded rounds: no task
     * starts after it returns unless it was admitted before and so is interrupted, and every future
     * completes.
     */
    @Test
    void noTaskStartsAfterShutdownNowReturns() throws Exception {
        Random rnd = new Random(20261203);
        for (int round = 0; round < 200; round++) {
            AtomicBoolean returned = new AtomicBoolean();
            AtomicInteger late = new AtomicInteger();
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            AutoPool pool = Pool.auto(1 + rnd.nextInt(8));
            int n = 1 + rnd.nextInt(64);
            long work = rnd.nextInt(20_000);
            for (int i = 0; i < n; i++) {
                int v = i;
                fs.add(
                        pool.submit(
                                () -> {
                                    if (returned.get() && !Thread.currentThread().isInterrupted()) {
                                        late
                                                .incrementAndGet(); // started after shutdownNow
                                                                    // returned, and not told to
                                                                    // stop
                                    }
                                    long end = System.nanoTime() + work;
                                    while (System.nanoTime() < end) {
                                        Thread.onSpinWait();
                                    }
                                    return v;
                                }));
            }
            long pause = System.nanoTime() + rnd.nextInt(200_000);
            while (System.nanoTime() < pause) {
                Thread.onSpinWait();
            }
            pool.shutdownNow();
            returned.set(true);
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS))
                    .as("round %d terminates", round)
                    .isTrue();
            for (var f : fs) {
                try {
                    f.get(
                            10,
                            TimeUnit
                                    .SECONDS); // a TimeoutException fails the test: nothing may
                                               // wait for ever
                } catch (ExecutionException | CancellationException done) {
                    // interrupted or never started: done either way
                }
            }
            assertThat(late)
                    .as("round %d: tasks started after shutdownNow returned", round)
                    .hasValue(0);
        }
    }
}
