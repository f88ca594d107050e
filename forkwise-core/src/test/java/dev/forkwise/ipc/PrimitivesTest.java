package dev.forkwise.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Each primitive's contract within one JVM (threads stand in for processes where that is enough).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrimitivesTest {

    private final List<AutoCloseable> open = new ArrayList<>();

    private <T extends AutoCloseable> T open(T t) {
        open.add(t);
        return t;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void sharedLongUpdatesAtomically() {
        SharedLong l = open(SharedLong.create(5));
        assertThat(l.get()).isEqualTo(5);
        assertThat(l.addAndGet(3)).isEqualTo(8);
        assertThat(l.getAndIncrement()).isEqualTo(8);
        assertThat(l.incrementAndGet()).isEqualTo(10);
        assertThat(l.compareAndSet(9, 1)).isFalse();
        assertThat(l.compareAndSet(10, 1)).isTrue();
        assertThat(l.getAndSet(-7)).isEqualTo(1);
        assertThat(l.decrementAndGet()).isEqualTo(-8);
        assertThat(l).hasToString("-8");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void sharedArraysBehaveLikePlainArraysUnderRandomOperations(long seed) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(200);
        SharedArray.Longs longs = open(SharedArray.longs(n));
        SharedArray.Ints ints = open(SharedArray.ints(n));
        SharedArray.Doubles doubles = open(SharedArray.doubles(n));
        SharedArray.Bytes bytes = open(SharedArray.bytes(n));
        long[] el = new long[n];
        int[] ei = new int[n];
        double[] ed = new double[n];
        byte[] eb = new byte[n];
        for (int step = 0; step < 5_000; step++) {
            int i = r.nextInt(n);
            switch (r.nextInt(5)) {
                case 0 -> {
                    long v = r.nextLong();
                    longs.set(i, v);
                    el[i] = v;
                    ints.set(i, (int) v);
                    ei[i] = (int) v;
                    doubles.set(i, v / 3.0);
                    ed[i] = v / 3.0;
                    bytes.set(i, (byte) v);
                    eb[i] = (byte) v;
                }
                case 1 -> {
                    int d = r.nextInt(1000) - 500;
                    assertThat(longs.addAndGet(i, d)).isEqualTo(el[i] += d);
                    assertThat(ints.addAndGet(i, d)).isEqualTo(ei[i] += d);
                    assertThat(doubles.addAndGet(i, d)).isEqualTo(ed[i] += d);
                    assertThat(bytes.addAndGet(i, (byte) d)).isEqualTo(eb[i] += (byte) d);
                }
                case 2 -> {
                    assertThat(longs.getAndIncrement(i)).isEqualTo(el[i]++);
                    assertThat(ints.getAndIncrement(i)).isEqualTo(ei[i]++);
                    assertThat(bytes.getAndIncrement(i)).isEqualTo(eb[i]++);
                }
                case 3 -> {
                    boolean hit = r.nextBoolean();
                    long expect = hit ? el[i] : el[i] + 1;
                    assertThat(longs.compareAndSet(i, expect, 77)).isEqualTo(hit);
                    el[i] = hit ? 77 : el[i];
                    byte eb0 = hit ? eb[i] : (byte) (eb[i] + 1);
                    assertThat(bytes.compareAndSet(i, eb0, (byte) 9)).isEqualTo(hit);
                    eb[i] = hit ? 9 : eb[i];
                }
                default -> {
                    int from = r.nextInt(n);
                    int count = r.nextInt(n - from + 1);
                    long[] src = r.longs(count).toArray();
                    longs.copyFrom(from, src, 0, count);
                    System.arraycopy(src, 0, el, from, count);
                    byte[] bs = new byte[count];
                    r.nextBytes(bs);
                    bytes.copyFrom(from, bs, 0, count);
                    System.arraycopy(bs, 0, eb, from, count);
                }
            }
        }
        assertThat(longs.toArray()).isEqualTo(el);
        assertThat(ints.toArray()).isEqualTo(ei);
        assertThat(doubles.toArray()).isEqualTo(ed);
        assertThat(bytes.toArray()).isEqualTo(eb);
        assertThat(longs.segment().byteSize()).isEqualTo(8L * n);
    }

    @Test
    void badIndicesAndLengthsAreRefusedWithTheirNumbers() {
        SharedArray.Ints a = open(SharedArray.ints(3));
        assertThatThrownBy(() -> a.get(3))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("3");
        assertThatThrownBy(() -> a.copyFrom(2, new int[2], 0, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> SharedArray.longs(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> SharedQueue.create(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity");
        assertThatThrownBy(() -> SharedSemaphore.create(-2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-2");
        assertThatThrownBy(() -> SharedBarrier.create(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lockIsExclusiveNotReentrantAndOnlyItsHolderUnlocksIt() throws Exception {
        SharedLock lock = open(SharedLock.create());
        lock.lock();
        assertThat(lock.isHeldByCurrentThread()).isTrue();
        assertThatThrownBy(lock::lock)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not reentrant");
        CompletableFuture<Boolean> other =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return lock.tryLock(Duration.ofMillis(100));
                            } catch (InterruptedException e) {
                                throw new RuntimeException(e);
                            }
                        });
        assertThat(other.get(10, TimeUnit.SECONDS)).isFalse();
        CompletableFuture<Void> wrongUnlock = CompletableFuture.runAsync(lock::unlock);
        assertThatThrownBy(() -> wrongUnlock.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalMonitorStateException.class);
        lock.unlock();
        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.newCondition()).as("it has conditions now").isNotNull();
    }

    @Test
    void aThreadThatEndsHoldingTheLockIsTakenOverAndTheNextHolderIsTold() throws Exception {
        SharedLock lock = open(SharedLock.create());
        Thread t = Thread.ofPlatform().start(lock::lock);
        t.join(10_000);
        assertThat(lock.isLocked()).isTrue();
        assertThat(lock.tryLock(Duration.ofSeconds(5))).isTrue();
        assertThat(lock.ownerDied()).isTrue();
        lock.unlock();
        lock.lock();
        assertThat(lock.ownerDied()).as("only the first holder after the death is told").isFalse();
        lock.unlock();
    }

    @Test
    void threadsTakingTheLockUpdateExactly() throws Exception {
        SharedLock lock = open(SharedLock.create());
        long[] plain = new long[1];
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ts.add(
                    Thread.ofPlatform()
                            .start(
                                    () -> {
                                        for (int k = 0; k < 20_000; k++) {
                                            lock.lock();
                                            try {
                                                plain[0]++;
                                            } finally {
                                                lock.unlock();
                                            }
                                        }
                                    }));
        }
        for (Thread t : ts) {
            t.join(30_000);
        }
        assertThat(plain[0]).isEqualTo(80_000);
    }

    @Test
    void semaphoreCountsPermits() throws Exception {
        SharedSemaphore s = open(SharedSemaphore.create(2));
        assertThat(s.tryAcquire()).isTrue();
        assertThat(s.tryAcquire()).isTrue();
        assertThat(s.tryAcquire()).isFalse();
        assertThat(s.tryAcquire(Duration.ofMillis(50))).isFalse();
        assertThat(s.availablePermits()).isZero();
        s.release();
        assertThat(s.availablePermits()).isEqualTo(1);
        s.acquire();
        s.release();
        s.release();
        s.release(); // more than held: adds a permit
        assertThat(s.availablePermits()).isEqualTo(3);
        assertThat(s.reclaimed()).isZero();
    }

    @Test
    void eventWakesItsWaiters() throws Exception {
        SharedEvent e = open(SharedEvent.create());
        assertThat(e.await(Duration.ofMillis(20))).isFalse();
        CompletableFuture<Boolean> waiter =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return e.await(Duration.ofSeconds(20));
                            } catch (InterruptedException x) {
                                throw new RuntimeException(x);
                            }
                        });
        e.set();
        assertThat(waiter.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(e.isSet()).isTrue();
        e.clear();
        assertThat(e.isSet()).isFalse();
    }

    @Test
    void barrierMeetsRoundAfterRoundAndBreaksOnATimeout() throws Exception {
        SharedBarrier b = open(SharedBarrier.create(3));
        for (int round = 0; round < 3; round++) {
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                fs.add(
                        CompletableFuture.supplyAsync(
                                () -> {
                                    try {
                                        return b.await(Duration.ofSeconds(20));
                                    } catch (Exception x) {
                                        throw new RuntimeException(x);
                                    }
                                },
                                Thread::startVirtualThread));
            }
            List<Integer> idx = new ArrayList<>();
            for (CompletableFuture<Integer> f : fs) {
                idx.add(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(idx).containsExactlyInAnyOrder(0, 1, 2);
        }
        assertThatThrownBy(() -> b.await(Duration.ofMillis(50)))
                .isInstanceOf(TimeoutException.class);
        assertThat(b.isBroken()).isTrue();
        assertThatThrownBy(() -> b.await(Duration.ofMillis(50)))
                .isInstanceOf(BrokenBarrierException.class);
        b.reset();
        assertThat(b.isBroken()).isFalse();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 8, 99})
    void queueKeepsOrderAcrossWrapAroundWithRandomSizes(long seed) throws Exception {
        Random r = new Random(seed);
        SharedQueue<Object> q = open(SharedQueue.create(16, 700));
        ArrayDeque<Object> expected = new ArrayDeque<>();
        for (int step = 0; step < 20_000; step++) {
            if (r.nextInt(3) > 0) {
                Object v =
                        switch (r.nextInt(3)) {
                            case 0 -> r.nextLong();
                            case 1 -> "s".repeat(r.nextInt(60));
                            default -> {
                                byte[] b = new byte[r.nextInt(200)];
                                r.nextBytes(b);
                                yield b;
                            }
                        };
                if (q.offer(v)) {
                    expected.add(v);
                } else {
                    assertThat(q.size() == 16 || !expected.isEmpty()).isTrue();
                }
            } else {
                Object got = q.poll();
                Object want = expected.poll();
                assertThat(got).isEqualTo(want);
            }
            assertThat(q.size()).isEqualTo(expected.size());
        }
    }

    @Test
    void queueRefusesWhatCannotFitOrBeSentAndTimesOut() throws Exception {
        SharedQueue<Object> q = open(SharedQueue.create(2, 100));
        assertThatThrownBy(() -> q.put(new byte[500]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SharedQueue.create(capacity, bufferBytes)");
        assertThatThrownBy(() -> q.put(new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("serializable");
        assertThat(q.offer(1)).isTrue();
        assertThat(q.offer(2)).isTrue();
        assertThat(q.offer(3)).as("full at its capacity").isFalse();
        assertThat(q.offer(3, Duration.ofMillis(20))).isFalse();
        assertThat(q.take()).isEqualTo(1);
        assertThat(q.poll()).isEqualTo(2);
        assertThat(q.poll(Duration.ofMillis(20))).isNull();
    }

    @Test
    void pipeCarriesMessagesBothWaysAndTheClosedEndIsReported() throws Exception {
        Pipe p = open(Pipe.open(4096));
        p.a().send("ping");
        p.a().sendBytes(new byte[] {1, 2, 3});
        assertThat(p.b().poll(Duration.ofSeconds(1))).isTrue();
        assertThat((String) p.b().recv()).isEqualTo("ping");
        assertThat(p.b().recvBytes()).containsExactly(1, 2, 3);
        assertThat(p.b().poll(Duration.ofMillis(10))).isFalse();
        p.b().send(List.of(1, 2));
        assertThat((List<Integer>) p.a().recv()).containsExactly(1, 2);
        assertThatThrownBy(() -> p.a().send(new byte[10_000]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Pipe.open(bufferBytes)");
        p.a().send("last");
        p.a().close();
        assertThat((String) p.b().recv())
                .as("what was sent before the close still arrives")
                .isEqualTo("last");
        assertThatThrownBy(() -> p.b().recv())
                .isInstanceOf(Pipe.ClosedException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> p.b().send("x")).isInstanceOf(Pipe.ClosedException.class);
    }
}
