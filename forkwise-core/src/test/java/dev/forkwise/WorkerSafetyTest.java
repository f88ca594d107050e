package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Worker JVMs in a program that runs for days: nothing starves virtual threads, a start that never
 * finishes fails its tasks instead of stalling the pool, a crashing start is retried a bounded
 * number of times, {@code shutdownNow} stops what ignores interrupts, crash reports say what
 * happened, and a task's own processes die with the parent.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerSafetyTest {

    @TempDir Path tmp;

    @RegisterExtension final OpenPools open = new OpenPools();

    private Pool pool(ProcessOptions options) {
        return open.add(Pool.processes(options));
    }

    // ------------------------------------------------------------------ 1. virtual threads

    /**
     * The JDK lets an idle carrier thread of the virtual-thread scheduler go after 30 s; forkwise's
     * blocking reads of worker pipes once held every carrier then, and no virtual thread ran again.
     */
    @Test
    void aProcessPoolIdleLongerThanTheCarrierKeepAliveLeavesVirtualThreadsAndNewPoolsWorking()
            throws Exception {
        Pool first = pool(ProcessOptions.ofWorkers(2));
        assertThat(first.submit(() -> 1).get(60, TimeUnit.SECONDS)).isEqualTo(1);
        Thread.sleep(35_000); // past the scheduler's 30 s keep-alive, with the pool idle

        Thread plain = Thread.ofVirtual().start(() -> {});
        assertThat(plain.join(Duration.ofSeconds(10))).as("a plain virtual thread runs").isTrue();
        try (Pool virtual = Pool.virtualThreads()) {
            assertThat(virtual.submit(() -> "virtual").get(10, TimeUnit.SECONDS))
                    .isEqualTo("virtual");
        }
        Pool second = pool(ProcessOptions.ofWorkers(1));
        assertThat(second.submit(() -> "second").get(60, TimeUnit.SECONDS)).isEqualTo("second");
        try (ChildProcess<String> child = ChildProcess.start(() -> "child")) {
            assertThat(child.result()).isEqualTo("child");
            assertThat(child.join(Duration.ofSeconds(30))).isTrue();
        }
        assertThat(first.submit(() -> 2).get(60, TimeUnit.SECONDS)).isEqualTo(2);
    }

    // ------------------------------------------------------------------ 2. starts that never
    // finish

    @Test
    void aWorkerWhoseInitializerHangsIsKilledAtTheStartTimeoutAndItsTasksFailSayingSo() {
        Pool pool =
                pool(
                        ProcessOptions.builder()
                                .workers(1)
                                .initializer(
                                        () -> {
                                            Thread.sleep(600_000);
                                            return null;
                                        })
                                .startTimeout(Duration.ofSeconds(2))
                                .build());
        CompletableFuture<Integer> f = pool.submit(() -> 42);
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        WorkerCrashedException.class,
                        e -> {
                            assertThat(e.getMessage())
                                    .contains("never started")
                                    .contains("start timeout of 2 s");
                            assertThat(e.task())
                                    .isEqualTo(
                                            "task #1 of pool "
                                                    + pool.name()); // the task that waited for it
                        });
    }

    /**
     * A JVM that waits for a debugger never connects. Each one is killed at the start timeout, the
     * pool waits longer before each next start, and gives up after three in a row, until the next
     * submit.
     */
    @Test
    void workersThatNeverStartAreRetriedWithABackOffAndABound() throws Exception {
        Pool pool =
                pool(
                        ProcessOptions.builder()
                                .workers(1)
                                .jvmOptions(
                                        "-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,"
                                                + "address=127.0.0.1:0")
                                .startTimeout(Duration.ofSeconds(1))
                                .build());
        CompletableFuture<Integer> first = pool.submit(() -> 1);
        assertThatThrownBy(() -> first.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(WorkerCrashedException.class)
                .hasMessageContaining("never started");
        Set<Long> started = new HashSet<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(9);
        while (System.nanoTime()
                < end) { // 1 s each, then 0.25, 0.5 s pauses: three by ~4 s, then none
            Workers.live().forEach(h -> started.add(h.pid()));
            Thread.sleep(20);
        }
        assertThat(started)
                .as("JVMs started in 9 s: the first, then two retries, then none")
                .hasSizeBetween(2, 3);
        assertThat(Workers.live()).as("none left waiting").isEmpty();
        // a new task tries again, and is told why the pool gave up
        CompletableFuture<Integer> later = pool.submit(() -> 2);
        assertThatThrownBy(() -> later.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(WorkerCrashedException.class);
    }

    /**
     * A class whose loading is slow, as a worker's first classes are: loaded when its first task is
     * decoded.
     */
    record SlowToLoad(int value) implements Call<Integer> {
        static {
            try {
                Thread.sleep(1_500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public Integer call() {
            return value;
        }
    }

    @Test
    void aTasksTimeLimitDoesNotCountItsWorkersStartUp() throws Exception {
        Pool pool =
                pool(
                        ProcessOptions.builder()
                                .workers(1)
                                .taskTimeout(Duration.ofSeconds(1))
                                .build());
        assertThat(pool.submit(new SlowToLoad(7)).get(60, TimeUnit.SECONDS)).isEqualTo(7);
        // and the limit still holds once the worker is up
        CompletableFuture<Object> spin =
                pool.submit(
                        () -> {
                            while (true) {
                                Thread.onSpinWait();
                            }
                        });
        assertThatThrownBy(() -> spin.get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(TaskTimeoutException.class);
    }

    // ------------------------------------------------------------------ 3. a start that crashes
    // natively

    @Test
    void anInitializerThatCrashesTheJvmIsRetriedABoundedNumberOfTimesAndReportsTheCrash()
            throws Exception {
        Path errors = Files.createDirectories(tmp.resolve("errors"));
        Pool pool =
                pool(
                        ProcessOptions.builder()
                                .workers(1)
                                .jvmOptions(
                                        "-XX:ErrorFile=" + errors + "/hs_err_pid%p.log",
                                        "--enable-native-access=ALL-UNNAMED")
                                .initializer(
                                        () -> {
                                            MemorySegment.ofAddress(8)
                                                    .reinterpret(8)
                                                    .get(
                                                            ValueLayout.JAVA_LONG,
                                                            0); // SIGSEGV in the JVM
                                            return null;
                                        })
                                .build());
        CompletableFuture<Integer> f = pool.submit(() -> 1);
        assertThatThrownBy(() -> f.get(90, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        WorkerCrashedException.class,
                        e -> {
                            assertThat(e.getMessage())
                                    .contains("3 workers in a row failed to start");
                            assertThat(String.join("\n", e.lastStderr()))
                                    .contains(
                                            "A fatal error has been detected by the Java Runtime"
                                                    + " Environment");
                        });
        Thread.sleep(2_000); // given up: nothing more starts
        try (var files = Files.list(errors)) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith("hs_err")).count())
                    .as("one crash report per start")
                    .isEqualTo(3);
        }
        assertThat(Workers.live()).isEmpty();
    }

    // ------------------------------------------------------------------ 4. a task's own processes

    @Test
    void aTasksChildProcessesDieWithTheParentAndItsSocketFolderIsSwept() throws Exception {
        String d = tmp.toString();
        ChildProcess<Object> parent =
                ChildProcess.builder()
                        .daemon(true)
                        .start(
                                () -> {
                                    Pool pool = Pool.processes(1);
                                    long sleeper =
                                            pool.submit(
                                                            () ->
                                                                    new ProcessBuilder(
                                                                                    "sleep", "1000")
                                                                            .start()
                                                                            .pid())
                                                    .get(60, TimeUnit.SECONDS);
                                    Workers.writePids(d, List.of(sleeper));
                                    Thread.sleep(300_000);
                                    return pool;
                                });
        long sleeper = -1;
        try {
            assertThat(Markers.await(d, "pids", Duration.ofSeconds(60))).isTrue();
            sleeper = Long.parseLong(Files.readString(tmp.resolve("pids")).trim());
            assertThat(ProcessHandle.of(sleeper).map(ProcessHandle::isAlive)).contains(true);
            Path tmpDir = Path.of(System.getProperty("java.io.tmpdir"));
            assertThat(socketFolders(tmpDir, parent.pid()))
                    .as("the parent's pool has its socket folder")
                    .hasSize(1);

            assertThat(ProcessHandle.of(parent.pid()).orElseThrow().destroyForcibly()).isTrue();
            assertThat(Workers.awaitDead(List.of(sleeper), Duration.ofSeconds(3)))
                    .as(
                            "the task's `sleep 1000` dead 3 s after the parent's SIGKILL: %s",
                            Workers.describe(List.of(sleeper)))
                    .isTrue();
            Pool next =
                    pool(
                            ProcessOptions.ofWorkers(
                                    1)); // the next pool sweeps what a killed JVM left
            assertThat(socketFolders(tmpDir, parent.pid())).isEmpty();
            assertThat(next.submit(() -> 1).get(60, TimeUnit.SECONDS)).isEqualTo(1);
        } finally {
            parent.kill();
            if (sleeper > 0) {
                ProcessHandle.of(sleeper).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static List<Path> socketFolders(Path tmpDir, long pid) throws Exception {
        try (var dirs = Files.list(tmpDir)) {
            return dirs.filter(
                            p ->
                                    p.getFileName()
                                            .toString()
                                            .startsWith("forkwise-sock-" + pid + "-"))
                    .toList();
        }
    }

    /**
     * The folder is gone by the time {@code close()} returns, so a program that exits right then
     * leaves nothing (it was removed just after, by a daemon thread the exit could cut short).
     */
    @Test
    void closingAPoolRemovesItsSocketFolderBeforeCloseReturns() throws Exception {
        Path tmpDir = Path.of(System.getProperty("java.io.tmpdir"));
        long me = ProcessHandle.current().pid();
        for (int round = 0; round < 10; round++) {
            Set<Path> before = new HashSet<>(socketFolders(tmpDir, me));
            Pool pool = Pool.processes(1);
            assertThat(pool.submit(() -> 1).get(60, TimeUnit.SECONDS)).isEqualTo(1);
            Set<Path> during = new HashSet<>(socketFolders(tmpDir, me));
            during.removeAll(before);
            assertThat(during).hasSize(1);
            pool.close();
            assertThat(during.iterator().next()).as("round %d", round).doesNotExist();
        }
    }

    // ------------------------------------------------------------------ 6. shutdownNow

    @Test
    void shutdownNowKillsAWorkerWhoseTaskIgnoresItsInterrupt() throws Exception {
        String d = tmp.toString();
        Pool pool = pool(ProcessOptions.ofWorkers(1));
        CompletableFuture<Object> stubborn =
                pool.submit(
                        () -> {
                            Markers.touch(d, "spinning");
                            while (true) {
                                Thread.interrupted(); // ignores every interrupt
                                Thread.onSpinWait();
                            }
                        });
        assertThat(Markers.await(d, "spinning", Duration.ofSeconds(60))).isTrue();
        pool.shutdownNow();
        assertThatThrownBy(() -> stubborn.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        WorkerCrashedException.class,
                        e ->
                                assertThat(e.getMessage())
                                        .contains(
                                                "shutdownNow() interrupted its task, which had not"
                                                        + " stopped 1 s later"));
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Workers.live()).isEmpty();
    }

    // ------------------------------------------------------------------ 7. crash reports

    @Test
    void anExitCodeAbove128IsReportedAsACodeNotASignal() {
        Pool pool = pool(ProcessOptions.ofWorkers(1));
        CompletableFuture<Object> f =
                pool.submit(
                        () -> {
                            System.exit(137);
                            return null;
                        });
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        WorkerCrashedException.class,
                        e -> {
                            assertThat(e.exitCode()).isEqualTo(137);
                            assertThat(e.signal()).isEmpty();
                            assertThat(e.getMessage()).doesNotContain("SIGKILL");
                        });
    }

    @Test
    void aNativeCrashReportCarriesTheJvmsBanner() throws Exception {
        Pool pool =
                pool(
                        ProcessOptions.builder()
                                .workers(1)
                                .jvmOptions(
                                        "-XX:ErrorFile=" + tmp + "/hs_err_pid%p.log",
                                        "--enable-native-access=ALL-UNNAMED")
                                .build());
        CompletableFuture<Object> f =
                pool.submit(
                        () ->
                                MemorySegment.ofAddress(8)
                                        .reinterpret(8)
                                        .get(ValueLayout.JAVA_LONG, 0));
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        WorkerCrashedException.class,
                        e ->
                                assertThat(String.join("\n", e.lastStderr()))
                                        .contains(
                                                "A fatal error has been detected by the Java"
                                                        + " Runtime Environment")
                                        .contains("SIGSEGV")
                                        .contains(tmp.toString()));
        assertThat(pool.submit(() -> "replaced").get(60, TimeUnit.SECONDS)).isEqualTo("replaced");
    }

    /**
     * Tasks for a worker with four threads: the fourth ends the JVM once all four are in (the first
     * time).
     */
    static final class Neighbours implements Serializable {
        private static final long serialVersionUID = 1L;

        static Integer run(String dir, int i) throws InterruptedException {
            Markers.touch(dir, "in-" + i + "-" + ProcessHandle.current().pid());
            if (i == 3 && !Markers.exists(dir, "crashed")) { // it crashes its first worker only
                while (Markers.count(dir, "in-") < 4) {
                    Thread.sleep(5);
                }
                Markers.touch(dir, "crashed");
                Runtime.getRuntime().halt(5);
            }
            Thread.sleep(2_000);
            return i;
        }
    }

    @Test
    void theNeighboursOfACrashingTaskFailSayingWhyAndRunAgainWhenDeclaredIdempotent()
            throws Exception {
        String d = Files.createDirectories(tmp.resolve("once")).toString();
        Pool pool = pool(ProcessOptions.builder().workers(1).threadsPerWorker(4).build());
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int v = i;
            fs.add(pool.submit(() -> Neighbours.run(d, v)));
        }
        for (CompletableFuture<Integer> f : fs) {
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOfSatisfying(
                            WorkerCrashedException.class,
                            e ->
                                    assertThat(e.getMessage())
                                            .contains(
                                                    "it was running 4 tasks at once"
                                                            + " (threadsPerWorker 4)")
                                            .contains("cannot tell which of them ended it"));
        }

        String d2 = Files.createDirectories(tmp.resolve("retried")).toString();
        Pool retrying =
                pool(
                        ProcessOptions.builder()
                                .workers(1)
                                .threadsPerWorker(4)
                                .idempotentRetries(1)
                                .build());
        List<CompletableFuture<Integer>> gs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int v = i;
            gs.add(retrying.submit(() -> Neighbours.run(d2, v)));
        }
        for (int i = 0; i < 4; i++) {
            assertThat(gs.get(i).get(60, TimeUnit.SECONDS))
                    .as("task %d, run again on a fresh worker", i)
                    .isEqualTo(i);
        }
        assertThat(Markers.count(d2, "in-")).as("each ran twice").isEqualTo(8);
    }
}
