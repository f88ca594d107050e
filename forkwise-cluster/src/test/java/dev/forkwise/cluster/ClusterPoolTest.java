package dev.forkwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.IExecutorService;

import dev.forkwise.Fn;
import dev.forkwise.NotTransferableException;
import dev.forkwise.Pool;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.stream.IntStream;

/**
 * A pool and the primitives on a real cluster: two member JVMs on loopback, started by {@link
 * Cluster#local} and killed by its {@code close}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterPoolTest {

    private static Cluster cluster;

    @BeforeAll
    static void start() {
        cluster = Cluster.local(2);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
            for (Cluster.MemberInfo m : members) {
                ProcessHandle.of(m.pid())
                        .ifPresent(h -> assertThat(h.isAlive()).as("member %s", m).isFalse());
            }
        }
    }

    private static List<Cluster.MemberInfo> members = List.of();

    static long pid(int ignored) throws InterruptedException {
        Thread.sleep(30);
        return ProcessHandle.current().pid();
    }

    static int square(int x) {
        return x * x;
    }

    static int fail(int x) {
        throw new IllegalArgumentException("bad input " + x);
    }

    @Test
    void mapRunsOnEveryMemberInOrderAndTheMembersAreSeparateJvms() {
        members = cluster.members();
        assertThat(members).hasSize(2);
        Set<Long> memberPids = new HashSet<>();
        members.forEach(m -> memberPids.add(m.pid()));
        assertThat(memberPids).doesNotContain(ProcessHandle.current().pid());
        try (Pool pool = cluster.pool()) {
            List<Long> pids =
                    pool.map(ClusterPoolTest::pid, IntStream.range(0, 24).boxed().toList(), 1);
            assertThat(new HashSet<>(pids)).as("ran on both members").isEqualTo(memberPids);
            List<Integer> squares =
                    pool.map(ClusterPoolTest::square, IntStream.range(0, 10_000).boxed().toList());
            assertThat(squares).hasSize(10_000);
            for (int i = 0; i < squares.size(); i++) {
                assertThat(squares.get(i)).isEqualTo(i * i);
            }
        }
    }

    @Test
    void submitImapStarmapAndRunBehaveAsOnAnyPool() throws Exception {
        try (Pool pool = cluster.pool()) {
            assertThat(pool.submit(() -> 6 * 7).get(60, TimeUnit.SECONDS)).isEqualTo(42);
            List<Integer> ordered = new ArrayList<>();
            ordered.addAll(pool.imap(ClusterPoolTest::square, List.of(1, 2, 3, 4)).toList());
            assertThat(ordered).containsExactly(1, 4, 9, 16);
            List<Integer> any = new ArrayList<>();
            any.addAll(pool.imapUnordered(ClusterPoolTest::square, List.of(1, 2, 3)).toList());
            assertThat(any).containsExactlyInAnyOrder(1, 4, 9);
            assertThat(
                            pool.starmap(
                                    (Integer a, Integer b) -> a + b,
                                    List.of(Map.entry(1, 2), Map.entry(3, 4))))
                    .containsExactly(3, 7);
        }
    }

    @Test
    void aTasksExceptionComesBackAsTheSameExceptionAndBadInputFailsAtSubmit() {
        try (Pool pool = cluster.pool()) {
            Fn<Integer, Integer> bad = ClusterPoolTest::fail;
            CompletableFuture<Integer> f = pool.applyAsync(bad, 7);
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("bad input 7");
            Object notSerializable = new Object();
            assertThatThrownBy(() -> pool.submit(() -> notSerializable.hashCode()))
                    .isInstanceOf(NotTransferableException.class)
                    .hasMessageContaining("java.lang.Object");
        }
    }

    @Test
    void cancelStopsATaskOnItsMemberAndThePoolGoesOn() throws Exception {
        try (Pool pool = cluster.pool()) {
            CompletableFuture<Object> sleeper =
                    pool.submit(
                            () -> {
                                Thread.sleep(60_000);
                                return null;
                            });
            Thread.sleep(300);
            assertThat(sleeper.cancel(true)).isTrue();
            assertThatThrownBy(() -> sleeper.get(1, TimeUnit.SECONDS))
                    .isInstanceOf(CancellationException.class);
            assertThat(pool.submit(() -> 1).get(60, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void aClassTheFilterRefusesNeverRunsOnAMember() throws Exception {
        // through forkwise: java.io is outside the codec's allowed JDK packages
        File foreign = new File("x");
        try (Pool pool = cluster.pool()) {
            CompletableFuture<Object> f = pool.submit(() -> foreign.getName());
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasStackTraceContaining("REJECTED");
        }
        // straight to Hazelcast, past forkwise: its Java deserialization admits no user class
        IExecutorService raw = Instances.hz(cluster.name()).getExecutorService(Hz.EXECUTOR);
        Future<String> direct = raw.submit(new Foreign());
        assertThatThrownBy(() -> direct.get(60, TimeUnit.SECONDS))
                .hasStackTraceContaining(Foreign.class.getName())
                .hasStackTraceContaining("not allowed");
    }

    /** A class a member must never deserialize through Hazelcast. */
    static final class Foreign implements Callable<String>, Serializable {
        @Serial private static final long serialVersionUID = 1L;

        @Override
        public String call() {
            return "ran";
        }
    }

    @Test
    void twoMembersIncrementingTheCounterAQuarterMillionTimesEachLoseNothing() throws Exception {
        ClusterCounter counter = cluster.counter("quarter-million");
        counter.set(0);
        try (Pool pool = cluster.pool()) {
            // four tasks, two on each member (one per member core, the least loaded first): each
            // member makes 250,000 increments, two threads at a time
            List<Long> pids =
                    pool.map(
                            (Integer n) -> {
                                for (int i = 0; i < n; i++) {
                                    counter.incrementAndGet();
                                }
                                return ProcessHandle.current().pid();
                            },
                            List.of(125_000, 125_000, 125_000, 125_000),
                            1);
            Map<Long, Long> perMember = new HashMap<>();
            pids.forEach(p -> perMember.merge(p, 125_000L, Long::sum));
            assertThat(perMember).hasSize(2).allSatisfy((p, n) -> assertThat(n).isEqualTo(250_000));
        }
        assertThat(counter.get()).isEqualTo(500_000);
    }

    @Test
    void queueCounterMapAndLockAreSharedWithTasksOnTheMembers() throws Exception {
        BlockingQueue<String> queue = cluster.queue("results", 8);
        ClusterCounter counter = cluster.counter("hits");
        ConcurrentMap<String, Integer> map = cluster.map("totals");
        Lock lock = cluster.lock("total-lock");
        counter.set(0);
        map.put("total", 0);
        try (Pool pool = cluster.pool()) {
            List<CompletableFuture<Object>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                fs.add(
                        pool.submit(
                                () -> {
                                    for (int i = 0; i < 250; i++) {
                                        counter.incrementAndGet();
                                        lock.lock();
                                        try {
                                            map.put("total", map.get("total") + 1);
                                        } finally {
                                            lock.unlock();
                                        }
                                    }
                                    map.merge("workers", 1, Integer::sum);
                                    queue.put(
                                            "done " + id + " on " + ProcessHandle.current().pid());
                                    return null;
                                }));
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                got.add(queue.poll(60, TimeUnit.SECONDS));
            }
            for (CompletableFuture<Object> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertThat(got).hasSize(4).allMatch(s -> s != null && s.startsWith("done "));
        }
        assertThat(counter.get()).isEqualTo(1000);
        assertThat(map.get("total")).isEqualTo(1000);
        assertThat(map.get("workers")).isEqualTo(4);
        assertThat(counter.compareAndSet(1000, 5)).isTrue();
        assertThat(counter.compareAndSet(1000, 6)).isFalse();
        assertThat(counter.addAndGet(2)).isEqualTo(7);
        assertThat(queue.remainingCapacity()).isEqualTo(8);
        assertThatThrownBy(() -> queue.put(null)).isInstanceOf(NullPointerException.class);
    }
}
