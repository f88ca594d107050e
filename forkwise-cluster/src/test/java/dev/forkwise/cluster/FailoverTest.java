package dev.forkwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forkwise.Fn;
import dev.forkwise.Pool;
import dev.forkwise.WorkerCrashedException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.stream.IntStream;

/**
 * A member killed (SIGKILL) while it runs tasks: idempotent tasks run again on the survivor, the
 * others fail with {@link WorkerCrashedException} naming the member; nothing hangs, nothing is
 * lost, nothing returns twice.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FailoverTest {

    /** Sleeps, then says which member ran it. */
    static long slowPid(int ms) throws InterruptedException {
        Thread.sleep(ms);
        return ProcessHandle.current().pid();
    }

    /** Counts its own runs in the cluster, sleeps, and returns its input. */
    static Fn<Integer, Integer> counted(ClusterCounter runs) {
        return i -> {
            runs.incrementAndGet();
            Thread.sleep(2_000);
            return i;
        };
    }

    @Test
    void tasksOfADeadMemberRunAgainWhenIdempotentAndFailNamingItOtherwise() throws Exception {
        // three member JVMs on three loopback addresses, as if on three hosts
        List<Cluster.MemberInfo> started;
        try (Cluster cluster =
                Cluster.local(List.of("127.0.0.1", "127.0.0.2", "127.0.0.3"), null)) {
            List<Cluster.MemberInfo> members = cluster.members();
            assertThat(members)
                    .extracting(m -> m.address().split(":")[0])
                    .containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2", "127.0.0.3");
            Cluster.MemberInfo victim = members.get(1);
            ClusterCounter runs = cluster.counter("runs");
            List<Integer> inputs = IntStream.range(0, 12).boxed().toList();
            try (Pool strict = cluster.pool();
                    Pool again = cluster.pool(ClusterPoolOptions.defaults().idempotent(true))) {
                // the idempotent map first: its first wave runs on every member when the victim
                // dies (so some of its tasks run twice), the strict tasks wait behind it there
                CompletableFuture<List<Integer>> mapped =
                        CompletableFuture.supplyAsync(() -> again.map(counted(runs), inputs, 1));
                Thread.sleep(300);
                List<CompletableFuture<Long>> once = submit(strict, 6);
                Thread.sleep(700); // every task has reached a member
                ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly();

                int crashed = 0;
                for (CompletableFuture<Long> f : once) {
                    try {
                        assertThat(f.get(90, TimeUnit.SECONDS)).isNotEqualTo(victim.pid());
                    } catch (ExecutionException e) {
                        assertThat(e.getCause())
                                .isInstanceOf(WorkerCrashedException.class)
                                .hasMessageContaining(victim.address())
                                .hasMessageContaining("idempotent");
                        assertThat(((WorkerCrashedException) e.getCause()).pid())
                                .isEqualTo(victim.pid());
                        crashed++;
                    }
                }
                assertThat(crashed).as("the victim's tasks").isPositive();
                // every idempotent task's result exactly once, in order, though some ran twice
                assertThat(mapped.get(120, TimeUnit.SECONDS)).isEqualTo(inputs);
                assertThat(runs.get()).as("runs, the victim's again").isGreaterThan(12);
                // the pools go on with the survivors
                assertThat(strict.map(FailoverTest::slowPid, List.of(1, 1, 1, 1), 1))
                        .doesNotContain(victim.pid());
            }
            started = members;
        }
        for (Cluster.MemberInfo m : started) {
            assertThat(ProcessHandle.of(m.pid()).map(ProcessHandle::isAlive).orElse(false))
                    .as("member %s is left behind", m)
                    .isFalse();
        }
    }

    @Test
    void aLockWhoseHolderDiesComesBack() throws Exception {
        try (Cluster cluster = Cluster.local(2)) {
            Lock lock = cluster.lock("held-by-the-dead");
            BlockingQueue<Long> holder = cluster.queue("holder", 1);
            try (Pool pool = cluster.pool()) {
                pool.run(
                        () -> {
                            lock.lock();
                            holder.put(ProcessHandle.current().pid());
                            Thread.sleep(120_000); // holds it until killed
                        });
                Long pid = holder.poll(60, TimeUnit.SECONDS);
                assertThat(pid).isNotNull();
                assertThat(lock.tryLock()).as("held by a task on member pid %d", pid).isFalse();
                assertThat(cluster.members()).anySatisfy(m -> assertThat(m.pid()).isEqualTo(pid));
                ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                assertThat(lock.tryLock(60, TimeUnit.SECONDS))
                        .as("the dead member's lock came back")
                        .isTrue();
                lock.unlock();
            }
        }
    }

    private static List<CompletableFuture<Long>> submit(Pool pool, int n) {
        List<CompletableFuture<Long>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(pool.applyAsync(FailoverTest::slowPid, 3_000));
        }
        return fs;
    }

    @Test
    void connectingToNothingFailsClearlyWithinItsTimeout() {
        try {
            Cluster.connect(
                            ClusterOptions.of("nobody-" + System.nanoTime(), "127.0.0.1:1")
                                    .connectTimeout(Duration.ofSeconds(3)))
                    .close();
            throw new AssertionError("connected to nothing");
        } catch (IllegalStateException e) {
            assertThat(e)
                    .hasMessageContaining("cannot connect")
                    .hasMessageContaining("127.0.0.1:1");
        }
    }
}
