package dev.forkwise.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forkwise.Pool;
import dev.forkwise.ProcessOptions;
import dev.forkwise.Workers;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The rest of the primitives with real worker JVMs: the memory is the same memory, a pipe and a
 * shared map reach a worker, and a dead process's permits and pipe end are noticed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkersShareTest {

    private final List<Pool> pools = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    private Pool pool(int workers) {
        Pool p = Pool.processes(ProcessOptions.ofWorkers(workers));
        pools.add(p);
        return p;
    }

    private <T extends AutoCloseable> T open(T t) {
        open.add(t);
        return t;
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Pool p : pools) {
            p.shutdownNow();
            assertThat(p.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        Workers.killAll();
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void aWorkerWritesTheParentsArrayInPlaceAndCreatesOneOfItsOwn() throws Exception {
        SharedArray.Doubles a = open(SharedArray.doubles(1000));
        a.set(0, 1.5);
        Pool pool = pool(1);
        double seen =
                pool.submit(
                                () -> {
                                    double first = a.get(0);
                                    for (int i = 0; i < a.length(); i++) {
                                        a.set(i, i * 2.0);
                                    }
                                    return first;
                                })
                        .get(60, TimeUnit.SECONDS);
        assertThat(seen).isEqualTo(1.5);
        assertThat(a.get(999)).isEqualTo(1998.0);

        // a handle created in a worker comes back to the parent as the same memory
        SharedLong fromWorker =
                pool.submit(
                                () -> {
                                    SharedLong l = SharedLong.create(41);
                                    return l;
                                })
                        .get(60, TimeUnit.SECONDS);
        assertThat(fromWorker.incrementAndGet()).isEqualTo(42);
        fromWorker.close();
    }

    @Test
    void theSameHandleArrivingTwiceIsOneObject() throws Exception {
        SharedLong l = open(SharedLong.create(0));
        Pool pool = pool(1);
        boolean same =
                pool.submit(
                                () -> {
                                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                                    try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
                                        o.writeObject(l);
                                    }
                                    Object again =
                                            new ObjectInputStream(
                                                            new ByteArrayInputStream(
                                                                    bytes.toByteArray()))
                                                    .readObject();
                                    return again == l;
                                })
                        .get(60, TimeUnit.SECONDS);
        assertThat(same).isTrue();
    }

    @Test
    void aPipeRoundTripsWithAWorkerAndReportsItsDeath() throws Exception {
        Pipe pipe = open(Pipe.open());
        Pipe.End child = pipe.b();
        SharedLong pid = open(SharedLong.create(0));
        Pool pool = pool(1);
        CompletableFuture<Integer> echo =
                pool.submit(
                        () -> {
                            pid.set(ProcessHandle.current().pid());
                            int n = 0;
                            while (true) {
                                Integer v = child.recv();
                                if (v < 0) {
                                    Thread.sleep(600_000); // waits to be killed
                                }
                                child.send(v + 1);
                                n++;
                            }
                        });
        for (int i = 0; i < 1000; i++) {
            pipe.a().send(i);
            assertThat((Integer) pipe.a().recv()).isEqualTo(i + 1);
        }
        pipe.a().send(-1);
        ProcessHandle.of(pid.get()).orElseThrow().destroyForcibly();
        assertThatThrownBy(() -> pipe.a().recv())
                .isInstanceOf(Pipe.ClosedException.class)
                .hasMessageContaining("pid " + pid.get());
        assertThat(echo).failsWithin(Duration.ofSeconds(30));
    }

    @Test
    void theDeadHoldersPermitsComeBack() throws Exception {
        SharedSemaphore s = open(SharedSemaphore.create(1));
        SharedLong pid = open(SharedLong.create(0));
        Pool pool = pool(1);
        CompletableFuture<Object> holder =
                pool.submit(
                        () -> {
                            s.acquire();
                            pid.set(ProcessHandle.current().pid());
                            Thread.sleep(600_000);
                            return null;
                        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (pid.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(s.tryAcquire(Duration.ofMillis(100))).isFalse();
        ProcessHandle.of(pid.get()).orElseThrow().destroyForcibly();
        assertThat(s.tryAcquire(Duration.ofSeconds(5))).isTrue();
        assertThat(s.reclaimed()).isEqualTo(1);
        assertThat(holder).failsWithin(Duration.ofSeconds(30));
    }

    @Test
    void fourWorkersMergeIntoOneMapExactly() throws Exception {
        SharedMap<String, Integer> counts = open(SharedMap.create());
        Pool pool = pool(4);
        List<CompletableFuture<Object>> fs = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            fs.add(
                    pool.submit(
                            () -> {
                                for (int k = 0; k < 2_000; k++) {
                                    counts.merge("k" + (k % 10), 1, Integer::sum);
                                }
                                counts.compute("workers", (key, v) -> v == null ? 1 : v + 1);
                                counts.computeIfAbsent(
                                        "first", key -> (int) ProcessHandle.current().pid());
                                return null;
                            }));
        }
        for (CompletableFuture<Object> f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
        Map<String, Integer> snap = counts.snapshot();
        assertThat(snap).hasSize(12);
        for (int k = 0; k < 10; k++) {
            assertThat(snap.get("k" + k)).isEqualTo(800);
        }
        assertThat(snap.get("workers")).isEqualTo(4);
        assertThat(counts.get("k3")).isEqualTo(800);
        assertThat(counts.remove("workers")).isEqualTo(4);
        assertThat(counts.containsKey("workers")).isFalse();
    }

    @Test
    void aWorkerThreadWithItsInterruptStatusSetUsesTheMapAndKeepsTheStatus() throws Exception {
        SharedMap<String, Integer> m = open(SharedMap.create());
        Pool pool = pool(1);
        String seen =
                pool.submit(
                                () -> {
                                    Thread.currentThread()
                                            .interrupt(); // as code does after catching
                                                          // InterruptedException
                                    m.merge("n", 1, Integer::sum);
                                    boolean kept = Thread.interrupted();
                                    m.merge("n", 1, Integer::sum); // the connection is still good
                                    return kept + " " + m.get("n");
                                })
                        .get(60, TimeUnit.SECONDS);
        assertThat(seen).isEqualTo("true 2");
    }

    @Test
    void aMapFunctionsFailureReachesTheWorkerAndAClosedMapIsReported() throws Exception {
        SharedMap<String, Integer> m = SharedMap.create();
        m.put("x", 1);
        Pool pool = pool(1);
        String failure =
                pool.submit(
                                () -> {
                                    try {
                                        m.compute(
                                                "x",
                                                (k, v) -> {
                                                    throw new ArithmeticException("no " + k);
                                                });
                                        return "no failure";
                                    } catch (ArithmeticException e) {
                                        return e.getMessage() + " " + m.get("x");
                                    }
                                })
                        .get(60, TimeUnit.SECONDS);
        assertThat(failure).isEqualTo("no x 1");
        m.close();
        assertThatThrownBy(() -> pool.submit(() -> m.get("x")).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasStackTraceContaining("IllegalStateException: the shared map")
                .hasStackTraceContaining("is gone");
        assertThatThrownBy(() -> m.get("x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
