package dev.forkwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/** The shared lifecycle: forward moves only, and termination wakes its waiters. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LifecycleTest {

    private final ReentrantLock lock = new ReentrantLock();

    private boolean advance(Lifecycle life, Lifecycle.State to) {
        lock.lock();
        try {
            return life.advance(to);
        } finally {
            lock.unlock();
        }
    }

    @Test
    void movesGoForwardOnlyAndANewOwnerIsNotShutDown() {
        Lifecycle life = new Lifecycle(lock, Lifecycle.State.NEW);
        assertThat(life.isShutdown()).isFalse();
        assertThat(advance(life, Lifecycle.State.RUNNING)).isTrue();
        assertThat(advance(life, Lifecycle.State.RUNNING)).isFalse();
        assertThat(advance(life, Lifecycle.State.SHUTDOWN)).isTrue();
        assertThat(life.isShutdown()).isTrue();
        assertThat(life.isTerminated()).isFalse();
        assertThat(advance(life, Lifecycle.State.RUNNING)).as("no way back").isFalse();
        assertThat(advance(life, Lifecycle.State.TERMINATED)).isTrue();
        assertThat(advance(life, Lifecycle.State.SHUTDOWN)).isFalse();
        assertThat(life.isShutdown()).isTrue();
        assertThat(life.isTerminated()).isTrue();
    }

    @Test
    void awaitTerminationReturnsWhenItComesAndTimesOutOtherwise() throws Exception {
        Lifecycle life = new Lifecycle(lock, Lifecycle.State.RUNNING);
        assertThat(life.awaitTermination(20, TimeUnit.MILLISECONDS)).isFalse();
        CompletableFuture<Boolean> waiter =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return life.awaitTermination(20, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        });
        Thread.sleep(50);
        assertThat(waiter).isNotDone();
        advance(life, Lifecycle.State.SHUTDOWN);
        advance(life, Lifecycle.State.TERMINATED);
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(life.awaitTermination(0, TimeUnit.SECONDS)).isTrue();
    }
}
