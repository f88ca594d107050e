package dev.forkwise.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forkwise.Call;
import dev.forkwise.Pool;
import dev.forkwise.ProcessOptions;
import dev.forkwise.Workers;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * The IPC primitives between real worker JVMs: exact counts under contention, exactly-once
 * delivery, and a holder or consumer killed with SIGKILL costing nothing but its own work. Every
 * worker is killed by pid after each test ({@link Workers}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AcrossProcessesTest {

    private final List<Pool> pools = new ArrayList<>();
    private final List<AutoCloseable> shared = new ArrayList<>();

    private Pool pool(int workers) {
        Pool p = Pool.processes(ProcessOptions.ofWorkers(workers));
        pools.add(p);
        return p;
    }

    private <T extends AutoCloseable> T shared(T t) {
        shared.add(t);
        return t;
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Pool p : pools) {
            p.shutdownNow();
            assertThat(p.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        Workers.killAll();
        for (AutoCloseable c : shared) {
            c.close();
        }
    }

    /**
     * Runs {@code parties} copies of a task at once, each in its own worker (they meet at a barrier
     * first).
     */
    private static <R> List<R> together(Pool pool, int parties, IntFunction<Call<R>> task)
            throws Exception {
        List<CompletableFuture<R>> fs = new ArrayList<>();
        for (int i = 0; i < parties; i++) {
            fs.add(pool.submit(task.apply(i)));
        }
        List<R> out = new ArrayList<>();
        for (CompletableFuture<R> f : fs) {
            out.add(f.get(150, TimeUnit.SECONDS));
        }
        return out;
    }

    @Test
    void fourProcessesTimes250kAddAndGetIsExactlyOneMillion() throws Exception {
        SharedLong counter = shared(SharedLong.create(0));
        SharedBarrier start = shared(SharedBarrier.create(4));
        List<Long> pids =
                together(
                        pool(4),
                        4,
                        i ->
                                () -> {
                                    start.await(Duration.ofSeconds(60));
                                    for (int k = 0; k < 250_000; k++) {
                                        counter.addAndGet(1);
                                    }
                                    return ProcessHandle.current().pid();
                                });
        assertThat(new HashSet<>(pids))
                .as("four different worker processes")
                .hasSize(4)
                .doesNotContain(ProcessHandle.current().pid());
        assertThat(counter.get()).isEqualTo(1_000_000);
    }

    @Test
    void fourProcessesTimes250kLockedReadModifyWriteIsExact() throws Exception {
        SharedLong counter = shared(SharedLong.create(0));
        SharedLock lock = shared(SharedLock.create());
        SharedBarrier start = shared(SharedBarrier.create(4));
        List<Long> pids =
                together(
                        pool(4),
                        4,
                        i ->
                                () -> {
                                    start.await(Duration.ofSeconds(60));
                                    for (int k = 0; k < 250_000; k++) {
                                        lock.lock();
                                        try {
                                            counter.set(
                                                    counter.get()
                                                            + 1); // a plain read, then a plain
                                                                  // write
                                        } finally {
                                            lock.unlock();
                                        }
                                    }
                                    return ProcessHandle.current().pid();
                                });
        assertThat(new HashSet<>(pids)).hasSize(4);
        assertThat(counter.get()).isEqualTo(1_000_000);
        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.takeOvers()).isZero();
    }

    @Test
    void aLiveHolderIsNeverTakenOverHoweverLongOthersWait() throws Exception {
        // six processes on few cores, holders that sleep inside: waiters reach the parking stage
        // and
        // check the holder's liveness over and over, while the lock changes hands all the time
        SharedLong counter = shared(SharedLong.create(0));
        SharedLock lock = shared(SharedLock.create());
        SharedBarrier start = shared(SharedBarrier.create(6));
        together(
                pool(6),
                6,
                i ->
                        () -> {
                            start.await(Duration.ofSeconds(60));
                            for (int k = 0; k < 1_500; k++) {
                                lock.lock();
                                try {
                                    long v = counter.get();
                                    if (k % 10 == 0) {
                                        Thread.sleep(0, 300_000);
                                    }
                                    counter.set(v + 1);
                                } finally {
                                    lock.unlock();
                                }
                            }
                            return null;
                        });
        assertThat(lock.takeOvers()).as("no live holder was judged dead").isZero();
        assertThat(counter.get()).isEqualTo(6 * 1_500);
    }

    @Test
    void fourProducersFourConsumersDeliverEveryOneOfAMillionMessagesExactlyOnce() throws Exception {
        int producers = 4;
        int consumers = 4;
        int each = 250_000;
        SharedQueue<Long> queue = shared(SharedQueue.create(4096));
        SharedArray.Bytes seen = shared(SharedArray.bytes(producers * each));
        SharedBarrier start = shared(SharedBarrier.create(producers + consumers));
        Pool pool = pool(producers + consumers);
        List<CompletableFuture<Integer>> sent = new ArrayList<>();
        List<CompletableFuture<Integer>> received = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            sent.add(
                    pool.submit(
                            () -> {
                                start.await(Duration.ofSeconds(90));
                                for (int k = 0; k < each; k++) {
                                    queue.put((long) id * each + k);
                                }
                                return each;
                            }));
        }
        for (int c = 0; c < consumers; c++) {
            received.add(
                    pool.submit(
                            () -> {
                                start.await(Duration.ofSeconds(90));
                                int taken = 0;
                                while (true) {
                                    long m = queue.take();
                                    if (m < 0) {
                                        return taken;
                                    }
                                    seen.getAndIncrement((int) m);
                                    taken++;
                                }
                            }));
        }
        for (CompletableFuture<Integer> f : sent) {
            assertThat(f.get(150, TimeUnit.SECONDS)).isEqualTo(each);
        }
        for (int c = 0; c < consumers; c++) {
            queue.put(-1L); // an end mark per consumer, after every message
        }
        int total = 0;
        for (CompletableFuture<Integer> f : received) {
            total += f.get(150, TimeUnit.SECONDS);
        }
        assertThat(total).isEqualTo(producers * each);
        byte[] marks = seen.toArray();
        int missing = 0;
        int twice = 0;
        for (byte b : marks) {
            missing += b == 0 ? 1 : 0;
            twice += b > 1 ? 1 : 0;
        }
        assertThat(missing).as("messages never taken").isZero();
        assertThat(twice).as("messages taken more than once").isZero();
        assertThat(queue.isEmpty()).isTrue();
    }

    /**
     * A worker of a new pool takes {@code lock} and holds it until killed; returns once it holds
     * it, with its pid in {@code holder}.
     */
    private CompletableFuture<Object> holdInAWorker(SharedLock lock, SharedLong holder)
            throws InterruptedException {
        CompletableFuture<Object> held =
                pool(1).submit(
                                () -> {
                                    lock.lock();
                                    holder.set(ProcessHandle.current().pid());
                                    Thread.sleep(600_000); // holds it until killed
                                    return null;
                                });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (holder.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(holder.get()).as("the worker holds the lock").isPositive();
        return held;
    }

    @Test
    void aLockHolderKilledWithSigkillIsTakenOverWithinOneSecondAndTheNextHolderIsTold()
            throws Exception {
        SharedLock lock = shared(SharedLock.create());
        SharedLong holder = shared(SharedLong.create(0));
        CompletableFuture<Object> held = holdInAWorker(lock, holder);
        long pid = holder.get();
        assertThat(pid).isPositive();
        assertThat(lock.isLocked()).isTrue();
        assertThat(lock.tryLock(Duration.ofMillis(200))).as("a live holder keeps it").isFalse();

        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL
        boolean got = lock.tryLock(Duration.ofSeconds(1));
        try {
            assertThat(got).as("taken over within 1 s of the kill").isTrue();
            assertThat(lock.ownerDied()).as("told the owner died").isTrue();
            assertThat(lock.takeOvers()).isEqualTo(1);
        } finally {
            if (got) {
                lock.unlock();
            }
        }
        assertThat(lock.ownerDied()).isFalse();
        assertThat(held).failsWithin(Duration.ofSeconds(30));
    }

    /**
     * 200 short-lived workers (recycled after each task) each take a permit and give it back: the
     * table of holders has 64 slots, which used to fill up with processes that held nothing.
     */
    @Test
    void twoHundredRecycledWorkersTakeAndGiveBackAPermit() throws Exception {
        SharedSemaphore permits = shared(SharedSemaphore.create(2));
        Pool recycled =
                Pool.processes(ProcessOptions.builder().workers(2).maxTasksPerWorker(1).build());
        pools.add(recycled);
        List<Long> pids =
                recycled.map(
                        (Integer i) -> {
                            permits.acquire();
                            permits.release();
                            return ProcessHandle.current().pid();
                        },
                        IntStream.range(0, 200).boxed().toList(),
                        1);
        assertThat(new HashSet<>(pids)).as("a JVM per task").hasSize(200);
        assertThat(permits.availablePermits()).isEqualTo(2);
    }

    /** A pipe end's holder that dies before its first send closes the pipe for the other end. */
    @Test
    void aPipePeerKilledBeforeItSendsAnythingEndsTheOtherEndsWait() throws Exception {
        Pipe pipe = shared(Pipe.open());
        Pipe.End here = pipe.a();
        Pipe.End there = pipe.b();
        SharedLong started = shared(SharedLong.create(0));
        Pool pool = pool(1);
        CompletableFuture<Object> peer =
                pool.submit(
                        () -> {
                            Objects.requireNonNull(
                                    there); // captured: the end arrives in this worker, which sends
                                            // nothing
                            started.set(ProcessHandle.current().pid());
                            Thread.sleep(600_000);
                            return null;
                        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (started.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        ProcessHandle.of(started.get()).orElseThrow().destroyForcibly(); // SIGKILL, before any send
        assertThat(peer).failsWithin(Duration.ofSeconds(30));
        CompletableFuture<Object> received =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return here.recv();
                            } catch (Exception e) {
                                return e;
                            }
                        },
                        r -> Thread.ofPlatform().daemon().start(r));
        assertThat(received.get(10, TimeUnit.SECONDS)).isInstanceOf(Pipe.ClosedException.class);
    }

    /** {@code tryLock()} without a timeout finds a dead holder too (it used to fail for ever). */
    @Test
    void tryLockWithoutATimeoutTakesOverFromAHolderKilledWithSigkill() throws Exception {
        SharedLock lock = shared(SharedLock.create());
        SharedLong holder = shared(SharedLong.create(0));
        CompletableFuture<Object> held = holdInAWorker(lock, holder);
        assertThat(lock.tryLock()).as("a live holder keeps it").isFalse();
        ProcessHandle.of(holder.get()).orElseThrow().destroyForcibly(); // SIGKILL
        assertThat(held).failsWithin(Duration.ofSeconds(30)); // the holder is gone for sure
        boolean got = false;
        int tries = 0;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!got && System.nanoTime() < until) {
            got = lock.tryLock();
            tries++;
            if (!got) {
                Thread.sleep(10);
            }
        }
        try {
            assertThat(got).as("tryLock() took over after %d tries", tries).isTrue();
            assertThat(lock.ownerDied()).isTrue();
            assertThat(lock.takeOvers()).isEqualTo(1);
        } finally {
            if (got) {
                lock.unlock();
            }
        }
    }

    @Test
    void aConsumerKilledMidStreamLosesAtMostTheMessageItWasTaking() throws Exception {
        int n = 100_000;
        SharedQueue<Integer> queue = shared(SharedQueue.create(256));
        SharedArray.Bytes seen = shared(SharedArray.bytes(n));
        SharedLong victimPid = shared(SharedLong.create(0));
        SharedLong taken = shared(SharedLong.create(0));
        Pool pool = pool(2);
        List<CompletableFuture<Integer>> consumers = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            int id = c;
            consumers.add(
                    pool.submit(
                            () -> {
                                if (id == 0) {
                                    victimPid.set(ProcessHandle.current().pid());
                                }
                                int mine = 0;
                                while (true) {
                                    int m = queue.take();
                                    if (m < 0) {
                                        return mine;
                                    }
                                    seen.getAndIncrement(m);
                                    taken.incrementAndGet();
                                    mine++;
                                }
                            }));
        }
        Thread producer =
                Thread.ofPlatform()
                        .daemon()
                        .name("producer")
                        .start(
                                () -> {
                                    try {
                                        for (int i = 0; i < n; i++) {
                                            queue.put(i);
                                        }
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                });
        int survivor;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((taken.get() < n / 4 || victimPid.get() == 0) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(taken.get()).isGreaterThanOrEqualTo(n / 4);
            ProcessHandle.of(victimPid.get())
                    .orElseThrow()
                    .destroyForcibly(); // SIGKILL, mid-stream
            producer.join(TimeUnit.SECONDS.toMillis(90));
            assertThat(producer.isAlive()).as("the producer got every message in").isFalse();
            queue.put(-1); // the survivor's end mark
            survivor = consumers.get(1).get(90, TimeUnit.SECONDS);
            assertThat(consumers.get(0)).failsWithin(Duration.ofSeconds(30));
        } finally {
            producer.interrupt(); // never left blocked in put after a failure
        }

        int missing = 0;
        int twice = 0;
        for (byte b : seen.toArray()) {
            missing += b == 0 ? 1 : 0;
            twice += b > 1 ? 1 : 0;
        }
        assertThat(twice).as("taken twice").isZero();
        assertThat(missing)
                .as("lost: at most the one the killed consumer was taking")
                .isLessThanOrEqualTo(1);
        assertThat(survivor).isPositive();
        assertThat(queue.isEmpty()).isTrue();
    }
}
