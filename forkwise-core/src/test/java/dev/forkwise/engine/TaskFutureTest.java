package dev.forkwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link TaskFuture} runs its task itself: a task runs at most once, a task cancelled before it
 * starts never runs, and a {@code cancel(true)} racing with the task's end never leaves its
 * interrupt on the thread after {@link TaskFuture#run()} returns.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskFutureTest {

    /** A thread whose interrupt takes a while to land: it widens the race to a sure thing. */
    private static final class SlowToInterrupt extends Thread {
        SlowToInterrupt(Runnable r) {
            super(r);
        }

        @Override
        public void interrupt() {
            LockSupport.parkNanos(20_000_000);
            super.interrupt();
        }
    }

    @Test
    void aCancelWhoseInterruptLandsLateIsWaitedForBeforeRunReturns() throws Exception {
        AtomicReference<TaskFuture<Integer>> self = new AtomicReference<>();
        CountDownLatch running = new CountDownLatch(1);
        TaskFuture<Integer> f =
                new TaskFuture<>(
                        "task",
                        () -> {
                            running.countDown();
                            while (!self.get().isCancelled()) {
                                Thread.onSpinWait(); // ends as soon as cancel(true) has begun
                            }
                            return 1;
                        });
        self.set(f);
        CountDownLatch cancelled = new CountDownLatch(1);
        AtomicBoolean late = new AtomicBoolean();
        Thread t =
                new SlowToInterrupt(
                        () -> {
                            f.run();
                            Thread.interrupted(); // what landed while it ran is the pool's to clear
                            try {
                                cancelled.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                late.set(true);
                            }
                            if (Thread.interrupted()) {
                                late.set(true);
                            }
                        });
        t.start();
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cancel(true)).isTrue(); // its interrupt takes 20 ms to land
        cancelled.countDown();
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(late)
                .as("the cancel's interrupt reached the thread after run() returned")
                .isFalse();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void aTaskRunsAtMostOnceAndNotAtAllWhenCancelledFirst(long seed) throws Exception {
        Random rnd = new Random(seed);
        for (int i = 0; i < 500; i++) {
            AtomicInteger runs = new AtomicInteger();
            TaskFuture<Integer> f = new TaskFuture<>("task", runs::incrementAndGet);
            boolean cancelFirst = rnd.nextBoolean();
            if (cancelFirst) {
                f.cancel(rnd.nextBoolean());
            }
            Thread a = Thread.ofPlatform().start(f);
            Thread b = Thread.ofPlatform().start(f);
            a.join(10_000);
            b.join(10_000);
            assertThat(runs.get()).isEqualTo(cancelFirst ? 0 : 1);
            assertThat(f.isCancelled()).isEqualTo(cancelFirst);
        }
    }
}
