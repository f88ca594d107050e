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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Python's {@code JoinableQueue}: {@link SharedQueue#taskDone()} and {@link SharedQueue#join()},
 * fed and drained by worker JVMs, with a consumer killed with SIGKILL between its take and its
 * {@code taskDone()}. Every worker is killed by pid after each test.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class JoinableQueueTest {

    @RegisterExtension final CloseAfter closing = new CloseAfter();
    @RegisterExtension final OpenPools open = new OpenPools();

    private <T extends AutoCloseable> T shared(T t) {
        return closing.add(t);
    }

    @Test
    void joinWaitsForEveryTaskDoneAndTaskDoneCannotOutrunTheTakes() throws Exception {
        SharedQueue<Integer> q = shared(SharedQueue.create(16));
        assertThat(q.join(Duration.ZERO)).as("nothing put: nothing to wait for").isTrue();
        assertThatThrownBy(q::taskDone)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more times than elements were taken");
        q.put(1);
        q.put(2);
        assertThat(q.unfinishedTasks()).isEqualTo(2);
        assertThat(q.take()).isEqualTo(1);
        assertThat(q.join(Duration.ofMillis(50))).as("taken is not done").isFalse();
        q.taskDone();
        assertThat(q.unfinishedTasks()).isEqualTo(1);
        assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class);
        assertThat(q.poll()).isEqualTo(2);
        q.taskDone();
        assertThat(q.join(Duration.ZERO)).isTrue();
        q.join();
        assertThat(q.tasksLost()).isZero();
    }

    /**
     * Two producer and two consumer JVMs; the consumers mark each element done only after counting
     * it, and the very last one waits for a go-ahead before its {@code taskDone()}: {@code join()}
     * has not returned while it waits, and returns with every element counted once it is done.
     */
    @Test
    void joinOnAQueueFedAndDrainedByFourJvmsReturnsExactlyWhenTheLastElementIsDone()
            throws Exception {
        int perProducer = 2_000;
        int total = 2 * perProducer;
        SharedQueue<Integer> q = shared(SharedQueue.create(64));
        SharedLong counted = shared(SharedLong.create(0));
        SharedEvent goAhead = shared(SharedEvent.create());
        Pool pool = open.add(Pool.processes(4));
        List<CompletableFuture<Integer>> consumers = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            consumers.add(
                    pool.submit(
                            () -> {
                                int mine = 0;
                                while (true) {
                                    Integer x = q.poll(Duration.ofSeconds(5));
                                    if (x == null) {
                                        return mine;
                                    }
                                    if (counted.incrementAndGet() == total) {
                                        goAhead.await(Duration.ofSeconds(60)); // the last one
                                    }
                                    mine++;
                                    q.taskDone();
                                }
                            }));
        }
        for (int p = 0; p < 2; p++) {
            int base = p * perProducer;
            pool.submit(
                    () -> {
                        for (int i = 0; i < perProducer; i++) {
                            q.put(base + i);
                        }
                        return null;
                    });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (counted.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(counted.get()).as("every element taken and counted").isEqualTo(total);
        assertThat(q.join(Duration.ofMillis(300))).as("the last element is not done yet").isFalse();
        assertThat(q.unfinishedTasks()).isEqualTo(1);
        goAhead.set();
        assertThat(q.join(Duration.ofSeconds(60))).isTrue();
        assertThat(q.unfinishedTasks()).isZero();
        int taken = 0;
        for (CompletableFuture<Integer> c : consumers) {
            taken += c.get(60, TimeUnit.SECONDS);
        }
        assertThat(taken).isEqualTo(total);
        assertThat(q.tasksLost()).isZero();
    }

    /**
     * A consumer takes an element and is killed before its {@code taskDone()}: {@code join()} does
     * not wait for ever; it returns once the dead consumer's element is counted lost and the rest
     * are done.
     */
    @Test
    void aConsumerKilledBetweenTakeAndTaskDoneDoesNotMakeJoinWaitForEver() throws Exception {
        SharedQueue<String> q = shared(SharedQueue.create(16));
        SharedLong victim = shared(SharedLong.create(0));
        q.put("doomed");
        q.put("fine");
        Pool doomed = open.add(Pool.processes(1));
        doomed.submit(
                () -> {
                    q.take();
                    victim.set(ProcessHandle.current().pid());
                    Thread.sleep(600_000); // killed here, before taskDone()
                    q.taskDone();
                    return null;
                });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (victim.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        long pid = victim.get();
        assertThat(pid).isPositive();
        assertThat(q.take()).isEqualTo("fine");
        q.taskDone();
        assertThat(q.join(Duration.ofMillis(300))).as("the live holder may still finish").isFalse();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL
        assertThat(Workers.awaitDead(List.of(pid), Duration.ofSeconds(30))).isTrue();
        assertThat(q.join(Duration.ofSeconds(30))).as("join returns after the death").isTrue();
        assertThat(q.tasksLost()).isEqualTo(1);
        assertThat(q.unfinishedTasks()).isZero();
    }
}
