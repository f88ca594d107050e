package dev.forkwise.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forkwise.CloseAfter;
import dev.forkwise.OpenPools;
import dev.forkwise.Pool;
import dev.forkwise.Workers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Python's {@code RLock} and {@code Condition} across worker JVMs: {@link SharedReentrantLock} and
 * {@link SharedCondition}, with holders, waiters and signallers killed with SIGKILL. Every worker
 * is killed by pid after each test.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConditionsTest {

    @RegisterExtension final CloseAfter closing = new CloseAfter();
    @RegisterExtension final OpenPools open = new OpenPools();

    private <T extends AutoCloseable> T shared(T t) {
        return closing.add(t);
    }

    @Test
    void aReentrantLockCountsItsHoldsAndOnlyItsHolderUnlocksIt() throws Exception {
        SharedReentrantLock lock = shared(SharedReentrantLock.create());
        assertThat(lock.getHoldCount()).isZero();
        lock.lock();
        lock.lock();
        assertThat(lock.tryLock()).isTrue();
        assertThat(lock.getHoldCount()).isEqualTo(3);
        Thread other =
                Thread.ofPlatform()
                        .start(
                                () -> {
                                    assertThat(lock.tryLock()).isFalse();
                                    assertThat(lock.getHoldCount()).isZero();
                                    assertThatThrownBy(lock::unlock)
                                            .isInstanceOf(IllegalMonitorStateException.class);
                                });
        other.join();
        lock.unlock();
        lock.unlock();
        assertThat(lock.isLocked()).isTrue();
        lock.unlock();
        assertThat(lock.isLocked()).isFalse();
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
    }

    @Test
    void aConditionNeedsItsLockAndALockHasAtMostFourConditions() throws Exception {
        SharedLock lock = shared(SharedLock.create());
        SharedCondition c = lock.newCondition();
        assertThatThrownBy(c::await)
                .isInstanceOf(IllegalMonitorStateException.class)
                .hasMessageContaining("lock() first");
        assertThatThrownBy(c::signal).isInstanceOf(IllegalMonitorStateException.class);
        lock.newCondition();
        lock.newCondition();
        lock.newCondition();
        assertThatThrownBy(lock::newCondition)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("4 conditions");
        lock.lock();
        try {
            assertThat(c.await(Duration.ofMillis(50))).as("nobody signals").isFalse();
            assertThat(lock.isHeldByCurrentThread()).as("held again after the wait").isTrue();
            c.signal(); // nobody waits: nothing happens
            assertThat(c.waiting()).isZero();
        } finally {
            lock.unlock();
        }
    }

    @Test
    void waitingGivesUpEveryHoldOfAReentrantLockAndTakesThemBack() throws Exception {
        SharedReentrantLock lock = shared(SharedReentrantLock.create());
        SharedCondition done = lock.newCondition();
        SharedLong flag = shared(SharedLong.create(0));
        Pool pool = open.add(Pool.processes(1));
        lock.lock();
        lock.lock();
        CompletableFuture<Integer> signaller =
                pool.submit(
                        () -> {
                            lock.lock(); // only possible once the waiter has given up both holds
                            try {
                                flag.set(1);
                                done.signal();
                                return lock.getHoldCount();
                            } finally {
                                lock.unlock();
                            }
                        });
        try {
            while (flag.get() == 0) {
                assertThat(done.await(Duration.ofSeconds(60))).isTrue();
            }
            assertThat(lock.getHoldCount()).isEqualTo(2);
        } finally {
            lock.unlock();
            lock.unlock();
        }
        assertThat(signaller.get(60, TimeUnit.SECONDS)).isEqualTo(1);
    }

    /**
     * A bounded buffer of 4 between one producer and two consumers, each in its own worker JVM,
     * with seeded pauses: every item is taken exactly once and no wait ever ends by its timeout
     * while there was something to wake it for (a lost wake-up would).
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void producerAndConsumersInThreeJvmsLoseNoWakeUp(long seed) throws Exception {
        int items = 1_500;
        int capacity = 4;
        SharedLock lock = shared(SharedLock.create());
        SharedCondition notEmpty = lock.newCondition();
        SharedCondition notFull = lock.newCondition();
        SharedLong buffered = shared(SharedLong.create(0));
        SharedLong produced = shared(SharedLong.create(0));
        SharedLong timeouts = shared(SharedLong.create(0));
        SharedArray.Ints taken = shared(SharedArray.ints(items));
        Pool pool = open.add(Pool.processes(3));
        List<CompletableFuture<Integer>> consumers = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            long mine = seed * 31 + c;
            consumers.add(
                    pool.submit(
                            () -> {
                                Random r = new Random(mine);
                                int got = 0;
                                while (true) {
                                    int item;
                                    lock.lock();
                                    try {
                                        while (buffered.get() == 0 && produced.get() < items) {
                                            if (!notEmpty.await(Duration.ofSeconds(10))) {
                                                timeouts.incrementAndGet();
                                            }
                                        }
                                        if (buffered.get() == 0) {
                                            return got; // all produced, all taken
                                        }
                                        item =
                                                (int)
                                                        (produced.get()
                                                                - buffered.decrementAndGet()
                                                                - 1);
                                        notFull.signal();
                                    } finally {
                                        lock.unlock();
                                    }
                                    taken.addAndGet(item, 1);
                                    got++;
                                    pause(r);
                                }
                            }));
        }
        CompletableFuture<Integer> producer =
                pool.submit(
                        () -> {
                            Random r = new Random(seed);
                            for (int i = 0; i < items; i++) {
                                lock.lock();
                                try {
                                    while (buffered.get() == capacity) {
                                        if (!notFull.await(Duration.ofSeconds(10))) {
                                            timeouts.incrementAndGet();
                                        }
                                    }
                                    buffered.incrementAndGet();
                                    produced.incrementAndGet();
                                    if (produced.get() == items) {
                                        notEmpty.signalAll(); // the end: every consumer looks
                                    } else {
                                        notEmpty.signal();
                                    }
                                } finally {
                                    lock.unlock();
                                }
                                pause(r);
                            }
                            return items;
                        });
        assertThat(producer.get(120, TimeUnit.SECONDS)).isEqualTo(items);
        int got = 0;
        for (CompletableFuture<Integer> c : consumers) {
            got += c.get(120, TimeUnit.SECONDS);
        }
        assertThat(got).isEqualTo(items);
        for (int i = 0; i < items; i++) {
            assertThat(taken.get(i)).as("item %d taken once", i).isEqualTo(1);
        }
        assertThat(timeouts.get()).as("waits that ended by their timeout").isZero();
    }

    private static void pause(Random r) {
        switch (r.nextInt(8)) {
            case 0 -> LockSupport.parkNanos(r.nextInt(200_000));
            case 1 -> Thread.yield();
            default -> {}
        }
    }

    @Test
    void aReentrantLockHolderKilledHoldingItTwiceIsTakenOverAndTheNextHolderIsTold()
            throws Exception {
        SharedReentrantLock lock = shared(SharedReentrantLock.create());
        SharedLong holder = shared(SharedLong.create(0));
        Pool pool = open.add(Pool.processes(1));
        CompletableFuture<Object> held =
                pool.submit(
                        () -> {
                            lock.lock();
                            lock.lock();
                            holder.set(
                                    lock.getHoldCount() == 2 ? ProcessHandle.current().pid() : -1);
                            Thread.sleep(600_000); // holds it until killed
                            return null;
                        });
        long pid = awaitPositive(holder);
        assertThat(lock.tryLock(Duration.ofMillis(200))).as("a live holder keeps it").isFalse();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL
        boolean got = lock.tryLock(Duration.ofSeconds(30));
        try {
            assertThat(got).as("taken over after the kill").isTrue();
            assertThat(lock.ownerDied()).as("told the owner died").isTrue();
            assertThat(lock.getHoldCount()).as("the dead holder's count went with it").isEqualTo(1);
            assertThat(lock.takeOvers()).isEqualTo(1);
        } finally {
            if (got) {
                lock.unlock();
            }
        }
        assertThat(lock.isLocked()).as("one unlock frees it").isFalse();
        assertThat(held).failsWithin(Duration.ofSeconds(30));
    }

    /**
     * The thread meant to signal takes the lock while the waiter waits, and is killed before it
     * signals: the waiter's wait ends by its timeout, and it takes the lock over from the dead
     * signaller and is told.
     */
    @Test
    void anAwaitWhoseSignallerDiesWakesUpByItsTimeout() throws Exception {
        SharedLock lock = shared(SharedLock.create());
        SharedCondition ready = lock.newCondition();
        SharedLong signaller = shared(SharedLong.create(0));
        Pool pool = open.add(Pool.processes(1));
        pool.submit(() -> 1).get(60, TimeUnit.SECONDS); // its worker is up before the wait starts
        pool.submit(
                () -> {
                    lock.lock(); // gets it once the waiter waits
                    signaller.set(ProcessHandle.current().pid());
                    Thread.sleep(600_000); // killed here, before it signals
                    ready.signal();
                    return null;
                });
        Thread killer =
                Thread.ofPlatform()
                        .start(
                                () -> {
                                    try {
                                        long pid = awaitPositive(signaller);
                                        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                });
        lock.lock();
        boolean signalled;
        try {
            signalled = ready.await(Duration.ofSeconds(3));
            assertThat(lock.isHeldByCurrentThread()).isTrue();
            assertThat(lock.ownerDied()).as("taken back from the dead signaller").isTrue();
        } finally {
            lock.unlock();
        }
        killer.join(60_000);
        assertThat(signalled).as("woken by its timeout, not a signal").isFalse();
        assertThat(ready.waiting()).isZero();
    }

    /** A waiter killed while it waits does not swallow the next signal: a live waiter gets it. */
    @Test
    void aWaiterKilledWhileWaitingDoesNotSwallowASignal() throws Exception {
        SharedLock lock = shared(SharedLock.create());
        SharedCondition ready = lock.newCondition();
        SharedLong first = shared(SharedLong.create(0));
        Pool doomed = open.add(Pool.processes(1));
        doomed.submit(
                () -> {
                    lock.lock();
                    try {
                        first.set(ProcessHandle.current().pid());
                        ready.await(); // killed while waiting here
                    } finally {
                        lock.unlock();
                    }
                    return null;
                });
        long pid = awaitPositive(first);
        awaitWaiting(ready, 1);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL
        assertThat(Workers.awaitDead(List.of(pid), Duration.ofSeconds(30))).isTrue();

        Pool live = open.add(Pool.processes(1));
        CompletableFuture<Boolean> second =
                live.submit(
                        () -> {
                            lock.lock();
                            try {
                                return ready.await(Duration.ofSeconds(60));
                            } finally {
                                lock.unlock();
                            }
                        });
        awaitWaiting(ready, 2); // the dead waiter's slot is still taken, and the live one's
        lock.lock();
        try {
            ready.signal(); // the dead waiter came first: the signal must go past it
        } finally {
            lock.unlock();
        }
        assertThat(second.get(60, TimeUnit.SECONDS)).as("the live waiter was signalled").isTrue();
        assertThat(ready.waiting()).as("the dead waiter's slot was freed").isZero();
    }

    private static long awaitPositive(SharedLong value) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (value.get() <= 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(value.get()).isPositive();
        return value.get();
    }

    private static void awaitWaiting(SharedCondition c, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (c.waiting() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(c.waiting()).isEqualTo(n);
    }
}
