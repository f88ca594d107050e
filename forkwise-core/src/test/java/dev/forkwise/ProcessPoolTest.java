package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forkwise.ipc.SharedLong;
import dev.forkwise.ipc.SharedMemory;
import dev.forkwise.process.ProcessBackend;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * What a process pool promises beyond the conformance suite, shown with real worker JVMs: a crash,
 * a kill or a hang costs one task and the pool goes on; workers die with their parent; what cannot
 * be sent fails at the call with the path to it. Every worker a test makes is killed by pid after
 * it ({@link Workers}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessPoolTest {

    private static final String WORKER_MAIN = "dev.forkwise.process.WorkerMain";

    @TempDir Path tmp;

    private final List<Pool> pools = new ArrayList<>();

    private Pool pool(ProcessOptions options) {
        Pool p = Pool.processes(options);
        pools.add(p);
        return p;
    }

    private Pool pool(int workers) {
        return pool(ProcessOptions.ofWorkers(workers));
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Pool p : pools) {
            p.shutdownNow();
            assertThat(p.awaitTermination(30, TimeUnit.SECONDS))
                    .as("%s terminates", p.name())
                    .isTrue();
        }
        Workers.killAll();
    }

    private static long pid() {
        return ProcessHandle.current().pid();
    }

    // ------------------------------------------------------------------ the pool never breaks

    @Test
    void oneTaskOfTwentyCallsSystemExitAndOnlyThatTaskFails() throws Exception {
        Pool pool = pool(2);
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int v = i;
            fs.add(
                    pool.submit(
                            () -> {
                                if (v == 7) {
                                    System.err.println("task 7 is leaving");
                                    System.exit(1);
                                }
                                Thread.sleep(20);
                                return v * v;
                            }));
        }
        List<Integer> results = new ArrayList<>();
        List<WorkerCrashedException> crashes = new ArrayList<>();
        for (CompletableFuture<Integer> f : fs) {
            try {
                results.add(f.get(60, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(WorkerCrashedException.class);
                crashes.add((WorkerCrashedException) e.getCause());
            }
        }
        assertThat(crashes).hasSize(1);
        WorkerCrashedException crash = crashes.getFirst();
        assertThat(crash.exitCode()).isEqualTo(1);
        assertThat(crash.signal()).isEmpty();
        assertThat(crash.pid()).isPositive();
        assertThat(crash.task()).isEqualTo("task #8 of pool " + pool.name());
        assertThat(crash.lastStderr()).contains("task 7 is leaving");
        assertThat(results).hasSize(19).doesNotContain(49);
        assertThat(fs.get(7)).isCompletedExceptionally();
        // the pool accepts new work, on a full set of workers
        assertThat(pool.map((Integer x) -> x + 1, List.of(1, 2, 3, 4))).containsExactly(2, 3, 4, 5);
    }

    /** Many tiny tasks, so that the workers take further short tasks ahead of their threads. */
    private static void warm(Pool pool) throws Exception {
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            int v = i;
            fs.add(pool.submit(() -> v));
        }
        for (CompletableFuture<Integer> f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    /** The most tasks that ran at once in this JVM (a worker's), and the count of those running. */
    static final AtomicInteger RUNNING_HERE = new AtomicInteger();

    static final AtomicInteger MOST_HERE = new AtomicInteger();

    @Test
    void tasksSentAheadOfAWorkerThatDiesRunElsewhereAndOnlyItsRunningTaskFails() throws Exception {
        Pool pool = pool(2);
        warm(pool);
        String d = tmp.toString();
        CompletableFuture<Integer> dying =
                pool.submit(
                        () -> {
                            Markers.touch(d, "dying");
                            Thread.sleep(300);
                            Runtime.getRuntime().halt(3);
                            return -1;
                        });
        assertThat(Markers.await(d, "dying", Duration.ofSeconds(10))).isTrue();
        // short tasks now fill both workers' windows: some wait behind the dying task
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int v = i;
            fs.add(pool.submit(() -> v * v));
        }
        assertThatThrownBy(() -> dying.get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(WorkerCrashedException.class);
        for (int i = 0; i < fs.size(); i++) {
            assertThat(fs.get(i).get(60, TimeUnit.SECONDS))
                    .as("task %d, which never started in the dying worker", i)
                    .isEqualTo(i * i);
        }
    }

    @Test
    void aTaskThatHangsDoesNotHoldTheTasksSentAheadToItsWorker() throws Exception {
        Pool pool = pool(2);
        warm(pool); // short tasks: each worker is sent many ahead of its thread
        String d = tmp.toString();
        CompletableFuture<Integer> hung =
                pool.submit(
                        () -> {
                            Markers.touch(d, "hung");
                            Thread.sleep(120_000);
                            return -1;
                        });
        assertThat(Markers.await(d, "hung", Duration.ofSeconds(10))).isTrue();
        try (SharedLong runs = SharedLong.create(0)) {
            // about half go to the hung task's worker, to wait in its queue until it hands them
            // back
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                int v = i;
                fs.add(
                        pool.submit(
                                () -> {
                                    runs.incrementAndGet();
                                    return v * v;
                                }));
            }
            for (int i = 0; i < fs.size(); i++) {
                assertThat(fs.get(i).get(30, TimeUnit.SECONDS))
                        .as("task %d, sent while another task hung", i)
                        .isEqualTo(i * i);
            }
            assertThat(runs.get()).as("runs of the 500 tasks: each ran once").isEqualTo(500);
        }
        assertThat(hung).isNotDone();
        hung.cancel(true);
    }

    @Test
    void aWorkerRunsNoMoreTasksAtOnceThanItsThreadsThoughMoreAreSentAhead() throws Exception {
        Pool pool = pool(1);
        warm(pool);
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            fs.add(
                    pool.submit(
                            () -> {
                                MOST_HERE.accumulateAndGet(
                                        RUNNING_HERE.incrementAndGet(), Math::max);
                                Thread.sleep(0, 50_000);
                                RUNNING_HERE.decrementAndGet();
                                return MOST_HERE.get();
                            }));
        }
        for (CompletableFuture<Integer> f : fs) {
            assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void aTaskCancelledWhileItWaitsInAWorkersQueueNeverRuns() throws Exception {
        Pool pool = pool(1);
        warm(pool);
        String d = tmp.toString();
        CompletableFuture<Integer> slow =
                pool.submit(
                        () -> {
                            Markers.touch(d, "slow");
                            Thread.sleep(500);
                            return 1;
                        });
        assertThat(Markers.await(d, "slow", Duration.ofSeconds(10))).isTrue();
        CompletableFuture<Integer> queued =
                pool.submit(
                        () -> {
                            Markers.touch(d, "queued-ran");
                            return 2;
                        });
        Thread.sleep(50); // sent to the worker, where it waits behind the slow task
        assertThat(queued.cancel(true)).isTrue();
        assertThat(slow.get(60, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(pool.submit(() -> 3).get(60, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(queued).isCancelled();
        assertThat(Markers.exists(d, "queued-ran")).isFalse();
    }

    @Test
    void aWorkerKilledBySignalNamesTheSignal() throws Exception {
        Pool pool = pool(1);
        CompletableFuture<Object> f =
                pool.submit(
                        () -> {
                            new ProcessBuilder("kill", "-KILL", Long.toString(pid()))
                                    .start()
                                    .waitFor();
                            Thread.sleep(10_000);
                            return "unreachable";
                        });
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        WorkerCrashedException.class,
                        e -> {
                            assertThat(e.signal()).contains("SIGKILL");
                            assertThat(e.exitCode()).isEqualTo(137);
                            assertThat(e.getMessage()).contains("SIGKILL").contains("task #1");
                        });
        assertThat(pool.submit(() -> "alive").get(30, TimeUnit.SECONDS)).isEqualTo("alive");
    }

    @Test
    void outOfMemoryKillsOnlyItsWorker() throws Exception {
        Pool pool = pool(ProcessOptions.builder().workers(1).jvmOptions("-Xmx64m").build());
        CompletableFuture<Object> f =
                pool.submit(
                        () -> {
                            List<long[]> hog = new ArrayList<>();
                            while (true) {
                                hog.add(new long[1 << 20]);
                            }
                        });
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        WorkerCrashedException.class,
                        e -> {
                            assertThat(e.exitCode()).isEqualTo(3);
                            assertThat(String.join("\n", e.lastStderr()))
                                    .contains("OutOfMemoryError");
                        });
        assertThat(pool.submit(() -> 42).get(30, TimeUnit.SECONDS)).isEqualTo(42);
    }

    /**
     * Chaos: 10,000 tasks while workers are killed with SIGKILL at random. Each task creates its
     * own marker file and fails if it already exists, so a task that ran twice would show.
     */
    @Test
    void chaosOfTenThousandTasksWithRandomKills() throws Exception {
        Pool pool = pool(4);
        String d = tmp.toString();
        int n = 10_000;
        List<CompletableFuture<Long>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long v = i;
            fs.add(
                    pool.submit(
                            () -> {
                                Files.createFile(
                                        Path.of(
                                                d,
                                                "ran-" + v)); // throws if this task ever ran before
                                long end = System.nanoTime() + 200_000;
                                while (System.nanoTime() < end) {
                                    Thread.onSpinWait();
                                }
                                return v * 3;
                            }));
        }
        Random rnd = new Random(42);
        AtomicInteger kills = new AtomicInteger();
        Thread killer =
                Thread.ofPlatform()
                        .daemon()
                        .start(
                                () -> {
                                    while (!fs.getLast().isDone() && kills.get() < 40) {
                                        List<ProcessHandle> workers = Workers.live();
                                        if (!workers.isEmpty()) {
                                            if (workers.get(rnd.nextInt(workers.size()))
                                                    .destroyForcibly()) {
                                                kills.incrementAndGet();
                                            }
                                        }
                                        try {
                                            Thread.sleep(25 + rnd.nextInt(75));
                                        } catch (InterruptedException e) {
                                            return;
                                        }
                                    }
                                });
        int ok = 0;
        int crashed = 0;
        for (int i = 0; i < n; i++) {
            try {
                assertThat(fs.get(i).get(90, TimeUnit.SECONDS)).isEqualTo(3L * i);
                ok++;
            } catch (ExecutionException e) {
                assertThat(e.getCause())
                        .as("task %d", i)
                        .isInstanceOf(WorkerCrashedException.class);
                crashed++;
            }
        }
        killer.interrupt();
        killer.join(10_000);
        assertThat(kills.get()).isPositive();
        assertThat(crashed).isLessThanOrEqualTo(kills.get());
        assertThat(ok + crashed).isEqualTo(n);
        // every task that succeeded ran (its marker is there), and none ran twice (createFile would
        // have thrown)
        for (int i = 0; i < n; i++) {
            if (!fs.get(i).isCompletedExceptionally()) {
                assertThat(Files.exists(Path.of(d, "ran-" + i))).isTrue();
            }
        }
        assertThat(pool.submit(() -> "still here").get(60, TimeUnit.SECONDS))
                .isEqualTo("still here");
    }

    @Test
    void idempotentTasksAreRetriedOnAFreshWorker() throws Exception {
        String d = tmp.toString();
        Call<Long> diesOnce =
                () -> {
                    if (!Markers.exists(d, "tried")) {
                        Markers.touch(d, "tried");
                        Runtime.getRuntime().halt(9);
                    }
                    return pid();
                };
        Pool retrying = pool(ProcessOptions.builder().workers(1).idempotentRetries(1).build());
        assertThat(retrying.submit(diesOnce).get(60, TimeUnit.SECONDS)).isPositive();

        Files.delete(Path.of(d, "tried"));
        Pool plain = pool(1);
        assertThatThrownBy(() -> plain.submit(diesOnce).get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(WorkerCrashedException.class)
                .hasMessageContaining("exit code 9");
    }

    @Test
    void anArrayTheCallerChangesAfterSubmitReturnsIsNotWhatTheTaskSees() throws Exception {
        String d = tmp.toString();
        Fn<byte[], Integer> firstAndLast = b -> b[0] * 1000 + b[b.length - 1];
        byte[] big = new byte[1 << 20]; // an attachment: written from the caller's array when sent
        // at once
        Pool pool = pool(1);
        pool.submit(() -> null).get(30, TimeUnit.SECONDS);

        // sent at once: nothing copied, and nothing the caller does afterwards reaches the task
        Arrays.fill(big, (byte) 1);
        CompletableFuture<Integer> atOnce = pool.applyAsync(firstAndLast, big);
        Arrays.fill(big, (byte) 2);
        assertThat(atOnce.get(30, TimeUnit.SECONDS)).isEqualTo(1001);

        // queued behind a busy worker: copied before submit returned
        CompletableFuture<Object> busy =
                pool.submit(
                        () -> {
                            Thread.sleep(500);
                            return null;
                        });
        Arrays.fill(big, (byte) 3);
        CompletableFuture<Integer> queued = pool.applyAsync(firstAndLast, big);
        Arrays.fill(big, (byte) 4);
        busy.get(30, TimeUnit.SECONDS);
        assertThat(queued.get(30, TimeUnit.SECONDS)).isEqualTo(3003);

        // sent, lost with a crashed worker and sent again: the retry carries what was submitted
        Pool retrying = pool(ProcessOptions.builder().workers(1).idempotentRetries(1).build());
        retrying.submit(() -> null).get(30, TimeUnit.SECONDS);
        Arrays.fill(big, (byte) 5);
        CompletableFuture<Integer> retried =
                retrying.applyAsync(
                        (byte[] b) -> {
                            if (!Markers.exists(d, "crashed")) {
                                Markers.touch(d, "crashed");
                                Thread.sleep(300); // the caller changes its array meanwhile
                                Runtime.getRuntime().halt(9);
                            }
                            return b[0] * 1000 + b[b.length - 1];
                        },
                        big);
        Arrays.fill(big, (byte) 6);
        assertThat(retried.get(60, TimeUnit.SECONDS)).isEqualTo(5005);
    }

    @Test
    void aCallerWithItsInterruptStatusSetSubmitsNormallyAndKeepsIt() throws Exception {
        Pool pool = pool(1);
        long worker = pool.submit(ProcessPoolTest::pid).get(30, TimeUnit.SECONDS);
        // once on the socket, once after the worker has moved to shared memory
        for (int round = 0; round < 2; round++) {
            Thread.currentThread().interrupt(); // as code does after catching InterruptedException
            CompletableFuture<Long> f = pool.submit(ProcessPoolTest::pid);
            assertThat(Thread.interrupted())
                    .as("the caller's interrupt status is left as it was")
                    .isTrue();
            assertThat(f.get(30, TimeUnit.SECONDS))
                    .as("the same worker answers: its channel survived")
                    .isEqualTo(worker);
            for (int i = 0; i < ProcessBackend.linkAfter(); i++) {
                pool.submit(() -> null).get(30, TimeUnit.SECONDS);
            }
        }
    }

    // ------------------------------------------------------------------ hard time limits

    @Test
    void anInfiniteLoopTimesOutAndThePoolGoesOn() throws Exception {
        Pool pool =
                pool(
                        ProcessOptions.builder()
                                .workers(1)
                                .taskTimeout(Duration.ofSeconds(1))
                                .build());
        CompletableFuture<Object> loop =
                pool.submit(
                        () -> {
                            long spins = 0;
                            while (spins >= 0) {
                                spins++;
                            }
                            return spins;
                        });
        assertThatThrownBy(() -> loop.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        TaskTimeoutException.class,
                        e -> assertThat(e.limit()).isEqualTo(Duration.ofSeconds(1)));
        assertThat(pool.submit(() -> "next").get(30, TimeUnit.SECONDS)).isEqualTo("next");
        assertThat(pool.map((Integer x) -> x * 2, List.of(1, 2, 3))).containsExactly(2, 4, 6);
    }

    @Test
    void aWorkerOnSharedMemoryCarriesLargeMessagesAndStillFailsAlone() throws Exception {
        Pool pool =
                pool(
                        ProcessOptions.builder()
                                .workers(1)
                                .taskTimeout(Duration.ofSeconds(2))
                                .build());
        for (int i = 0; i < ProcessBackend.linkAfter(); i++) {
            pool.submit(() -> null).get(30, TimeUnit.SECONDS);
        }
        String maps = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!maps.contains(".link (deleted)") && System.nanoTime() < deadline) {
            maps =
                    pool.submit(() -> Files.readString(Path.of("/proc/self/maps")))
                            .get(30, TimeUnit.SECONDS);
        }
        assertThat(maps)
                .as("the worker maps the link, whose file is already deleted")
                .contains(".link (deleted)");
        try (var files = Files.list(SharedMemory.folder())) {
            assertThat(files.filter(p -> p.toString().endsWith(".link"))).isEmpty();
        }

        byte[] big = new byte[5 << 20]; // five times the link's ring, each way
        new Random(5).nextBytes(big);
        byte[] back =
                pool.applyAsync(
                                (byte[] b) -> {
                                    byte[] r = b.clone();
                                    for (int i = 0; i < r.length; i++) {
                                        r[i] ^= 0x5a;
                                    }
                                    return r;
                                },
                                big)
                        .get(30, TimeUnit.SECONDS);
        for (int i = 0; i < big.length; i++) {
            assertThat(back[i]).isEqualTo((byte) (big[i] ^ 0x5a));
        }

        CompletableFuture<Object> loop =
                pool.submit(
                        () -> {
                            long spins = 0;
                            while (spins >= 0) {
                                spins++;
                            }
                            return spins;
                        });
        assertThatThrownBy(() -> loop.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(TaskTimeoutException.class);
        // the replacement links too once it has answered as many tasks; then it crashes
        for (int i = 0; i < 2 * ProcessBackend.linkAfter(); i++) {
            pool.submit(() -> null).get(30, TimeUnit.SECONDS);
        }
        CompletableFuture<Object> exit =
                pool.submit(
                        () -> {
                            System.exit(3);
                            return null;
                        });
        assertThatThrownBy(() -> exit.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        WorkerCrashedException.class, e -> assertThat(e.exitCode()).isEqualTo(3));
        assertThat(pool.map((Integer x) -> x + 1, IntStream.range(0, 1000).boxed().toList()))
                .hasSize(1000)
                .endsWith(1000);
    }

    @Test
    void aTimeoutKillsTheWorkersOwnChildProcessesToo() throws Exception {
        String d = tmp.toString();
        Pool pool =
                pool(
                        ProcessOptions.builder()
                                .workers(1)
                                .taskTimeout(Duration.ofSeconds(1))
                                .build());
        CompletableFuture<Object> f =
                pool.submit(
                        () -> {
                            Process sleeper = new ProcessBuilder("sleep", "300").start();
                            Files.writeString(
                                    Path.of(d, "grandchild"), Long.toString(sleeper.pid()));
                            return sleeper.waitFor();
                        });
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(TaskTimeoutException.class);
        long grandchild = Long.parseLong(Files.readString(Path.of(d, "grandchild")));
        try {
            assertThat(Workers.awaitDead(List.of(grandchild), Duration.ofSeconds(5))).isTrue();
        } finally {
            ProcessHandle.of(grandchild).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    // ------------------------------------------------------------------ no orphans

    @Test
    void workersDieWithinTwoSecondsOfTheirParentsSigkill() throws Exception {
        String d = tmp.toString();
        ChildProcess<Object> parent =
                ChildProcess.start(
                        () -> {
                            Pool pool = Pool.processes(3);
                            List<Long> pids =
                                    pool.map(
                                            (Integer i) -> {
                                                Thread.sleep(
                                                        300); // keep each worker busy so all three
                                                // answer
                                                return ProcessHandle.current().pid();
                                            },
                                            List.of(1, 2, 3),
                                            1);
                            Workers.writePids(d, pids);
                            Thread.sleep(300_000);
                            return pool;
                        });
        Workers.assertDieWithTheirParent(parent, d);
    }

    // ------------------------------------------------------------------ what crosses the boundary

    /** Serializable, but holds a socket: the classic mistake. */
    static final class Client implements Serializable {
        private static final long serialVersionUID = 1L;
        final String name = "db";
        final Socket conn = new Socket();
    }

    @Test
    void aNonSerializableCaptureFailsAtSubmitWithThePath() throws IOException {
        Pool pool = pool(1);
        try (Socket s = new Socket()) {
            Client client = new Client();
            assertThatThrownBy(() -> pool.submit(() -> client.name))
                    .isInstanceOfSatisfying(
                            NotTransferableException.class,
                            e -> {
                                assertThat(e.path())
                                        .isEqualTo(
                                                "captured arg 1 (Client) → field conn of Client →"
                                                        + " java.net.Socket");
                                assertThat(e.getMessage())
                                        .contains("task #1")
                                        .contains("java.net.Socket");
                            });
            assertThatThrownBy(
                            () -> pool.map((Integer i) -> i + client.name.length(), List.of(1, 2)))
                    .isInstanceOfSatisfying(
                            NotTransferableException.class,
                            e ->
                                    assertThat(e.path())
                                            .isEqualTo(
                                                    "fn → captured arg 1 (Client) → field conn of"
                                                            + " Client → java.net.Socket"));
            assertThatThrownBy(() -> pool.map((Object o) -> o.hashCode(), List.of("fine", s)))
                    .isInstanceOfSatisfying(
                            NotTransferableException.class,
                            e ->
                                    assertThat(e.path())
                                            .startsWith("map input #1")
                                            .endsWith("→ java.net.Socket"));
            Callable<String> plain = () -> "not serializable";
            assertThatThrownBy(() -> pool.submit(plain))
                    .isInstanceOf(NotTransferableException.class)
                    .hasMessageContaining("lambda")
                    .hasMessageContaining("Serializable");
        }
        // nothing was sent, and the pool works
        assertThat(pool.map((Integer i) -> i, List.of(1, 2))).containsExactly(1, 2);
    }

    /** Thrown from a named method, so the test can find it in the remote stack trace. */
    static Object explode(String why) throws IOException {
        throw new IOException(why);
    }

    @Test
    void aRemoteExceptionKeepsItsTypeMessageAndStack() throws Exception {
        Pool pool = pool(1);
        CompletableFuture<Object> f = pool.submit(() -> explode("disk on fire"));
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        IOException.class,
                        e -> {
                            assertThat(e).hasMessage("disk on fire");
                            assertThat(e.getStackTrace())
                                    .anyMatch(el -> el.getMethodName().equals("explode"));
                        });
        assertThatThrownBy(() -> pool.map((String s) -> explode(s), List.of("disk on fire")))
                .isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("map input #0 (disk on fire)")
                .cause()
                .isInstanceOfSatisfying(
                        IOException.class,
                        e -> {
                            assertThat(e).hasMessage("disk on fire");
                            assertThat(e.getStackTrace())
                                    .anyMatch(el -> el.getMethodName().equals("explode"));
                            assertThat(e.getStackTrace())
                                    .anyMatch(el -> el.getClassName().equals(WORKER_MAIN));
                        });
    }

    /** An exception that cannot itself be sent back. */
    static final class HoldsASocket extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final Socket socket = new Socket();

        HoldsASocket() {
            super("broken connection");
        }
    }

    @Test
    void anUnsendableExceptionArrivesAsAStandInWithItsNameMessageAndStack() {
        Pool pool = pool(1);
        assertThatThrownBy(
                        () ->
                                pool.submit(
                                                () -> {
                                                    throw new HoldsASocket();
                                                })
                                        .join())
                .cause()
                .isInstanceOfSatisfying(
                        RemoteTaskException.class,
                        e -> {
                            assertThat(e.className()).isEqualTo(HoldsASocket.class.getName());
                            assertThat(e).hasMessageContaining("broken connection");
                            assertThat(e.getStackTrace()).isNotEmpty();
                        });
    }

    @Test
    void anUnsendableResultFailsOnlyThatTaskAndKeepsTheWorker() throws Exception {
        Pool pool = pool(1);
        long before = pool.submit(() -> pid()).get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> pool.submit(() -> new Object()).get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        NotTransferableException.class,
                        e -> {
                            assertThat(e.getMessage())
                                    .contains("result of task #2")
                                    .contains("java.lang.Object");
                            assertThat(e.path()).isEqualTo("result → java.lang.Object");
                        });
        assertThat(pool.submit(() -> pid()).get(30, TimeUnit.SECONDS)).isEqualTo(before);
    }

    // ------------------------------------------------------------------ options

    @Test
    void workersRunTheInitializerOnceAndGetJvmOptionsEnvironmentAndDirectory() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("work"));
        String d = tmp.toString();
        Pool pool =
                pool(
                        ProcessOptions.builder()
                                .workers(2)
                                .jvmOptions("-Dforkwise.test=on", "-Xmx96m")
                                .environment("FORKWISE_TEST", "yes")
                                .workingDirectory(dir)
                                .initializer(
                                        () -> {
                                            Files.createFile(Path.of(d, "init-" + pid()));
                                            return System.setProperty(
                                                    "initialized", "by initializer");
                                        })
                                .build());
        List<String> seen =
                pool.map(
                        (Integer i) -> {
                            Thread.sleep(100);
                            return System.getProperty("forkwise.test")
                                    + " "
                                    + System.getenv("FORKWISE_TEST")
                                    + " "
                                    + Path.of("").toAbsolutePath().getFileName()
                                    + " "
                                    + System.getProperty("initialized")
                                    + " "
                                    + (Runtime.getRuntime().maxMemory() <= 96L << 20);
                        },
                        IntStream.range(0, 8).boxed().toList(),
                        1);
        assertThat(seen).containsOnly("on yes work by initializer true");
        assertThat(Markers.count(d, "init-")).isBetween(1L, 2L);
    }

    @Test
    void aFailingInitializerFailsTasksInsteadOfRestartingForever() {
        Pool pool =
                pool(
                        ProcessOptions.builder()
                                .workers(2)
                                .initializer(
                                        () -> {
                                            throw new IllegalStateException("no database");
                                        })
                                .build());
        CompletableFuture<Integer> f = pool.submit(() -> 1);
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("initializer")
                .cause()
                .hasMessage("no database");
        assertThatThrownBy(() -> pool.submit(() -> 2).get(10, TimeUnit.SECONDS))
                .cause()
                .hasMessageContaining("initializer");
    }

    @Test
    void aBadJvmOptionFailsTasksWithTheJvmsOwnWords() {
        Pool pool =
                pool(
                        ProcessOptions.builder()
                                .workers(1)
                                .jvmOptions("-XX:+NoSuchFlagAnywhere")
                                .build());
        assertThatThrownBy(() -> pool.submit(() -> 1).get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        WorkerCrashedException.class,
                        e ->
                                assertThat(String.join("\n", e.lastStderr()))
                                        .contains("NoSuchFlagAnywhere"));
    }

    @Test
    void maxTasksPerWorkerRecyclesWorkers() {
        Pool pool = pool(ProcessOptions.builder().workers(1).maxTasksPerWorker(2).build());
        List<Long> pids = pool.map((Integer i) -> pid(), IntStream.range(0, 6).boxed().toList(), 1);
        assertThat(new HashSet<>(pids)).hasSize(3);
        assertThat(pids.get(0)).isEqualTo(pids.get(1));
        assertThat(pids.get(2)).isEqualTo(pids.get(3)).isNotEqualTo(pids.get(0));
    }

    @Test
    void aLeakingWorkerIsReplacedBetweenTasksAndOnePastTheLimitIsKilled() throws Exception {
        Pool pool =
                pool(
                        ProcessOptions.builder()
                                .workers(1)
                                .maxWorkerMemory(300L << 20)
                                .jvmOptions("-Xmx1g")
                                .build());
        // ~45 MiB of JVM + 200 MiB kept: past 75% of the limit, under the limit
        long leaky =
                pool.submit(
                                () -> {
                                    Leak.HOLD.add(new byte[200 << 20]);
                                    return pid();
                                })
                        .get(60, TimeUnit.SECONDS);
        long fresh = pool.submit(() -> pid()).get(60, TimeUnit.SECONDS);
        assertThat(fresh).isNotEqualTo(leaky);

        CompletableFuture<Object> hog =
                pool.submit(
                        () -> {
                            Leak.HOLD.add(new byte[400 << 20]);
                            Thread.sleep(30_000);
                            return "kept 400 MiB";
                        });
        assertThatThrownBy(() -> hog.get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        WorkerCrashedException.class,
                        e -> {
                            assertThat(e.signal()).contains("SIGKILL");
                            assertThat(e.getMessage()).contains("passed maxWorkerMemory 300 MiB");
                        });
        assertThat(pool.submit(() -> "after").get(60, TimeUnit.SECONDS)).isEqualTo("after");
    }

    /** Where a leaking task keeps its garbage. */
    static final class Leak {
        static final List<byte[]> HOLD = new ArrayList<>();
    }

    @Test
    void threadsPerWorkerRunsTasksSideBySideInOneWorker() {
        String d = tmp.toString();
        Pool pool = pool(ProcessOptions.builder().workers(1).threadsPerWorker(3).build());
        assertThat(pool.parallelism()).isEqualTo(3);
        List<Long> pids =
                pool.map(
                        (Integer i) -> {
                            Markers.touch(d, "in-" + i);
                            for (int j = 0; j < 3; j++) {
                                Markers.waitFor(
                                        d, "in-" + j); // all three are in at once, or this never
                                // returns
                            }
                            return pid();
                        },
                        List.of(0, 1, 2),
                        1);
        assertThat(new HashSet<>(pids)).hasSize(1);
    }

    @Test
    void workerOutputReachesTheParentPrefixedWithTheWorker() throws Exception {
        var captured = new ByteArrayOutputStream();
        var original = System.out;
        System.setOut(new PrintStream(captured, true));
        try {
            Pool pool = pool(1);
            long worker =
                    pool.submit(
                                    () -> {
                                        System.out.println("hello from a worker");
                                        return pid();
                                    })
                            .get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!captured.toString().contains("hello") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(captured.toString())
                    .containsPattern(
                            "\\[worker 1 of processes\\(1\\)#\\d+ pid "
                                    + worker
                                    + "] hello from a worker");
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void manyPoolsAtOnceEachGetTheirOwnWorkers() throws Exception {
        Pool a = pool(1);
        Pool b = pool(1);
        long pa = a.submit(() -> pid()).get(30, TimeUnit.SECONDS);
        long pb = b.submit(() -> pid()).get(30, TimeUnit.SECONDS);
        assertThat(pa).isNotEqualTo(pb).isNotEqualTo(pid());
        Set<Long> children = new HashSet<>();
        ProcessHandle.current().children().forEach(c -> children.add(c.pid()));
        assertThat(children).contains(pa, pb);
    }
}
