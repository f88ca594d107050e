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

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Python's {@code SharedMemory(name=...)} and {@code ShareableList}: a shared array attached by
 * name in a worker JVM that was never given its handle, and a fixed-length list of numbers and
 * strings written and read across worker JVMs without a torn value. Every worker is killed by pid
 * after each test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NamedAndListTest {

    @RegisterExtension final CloseAfter closing = new CloseAfter();
    @RegisterExtension final OpenPools open = new OpenPools();

    private <T extends AutoCloseable> T shared(T t) {
        return closing.add(t);
    }

    private static String name(String what) {
        return "test-" + what + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @Test
    void aNamedArrayIsAttachedByNameInAWorkerThatWasNeverGivenIt() throws Exception {
        String name = name("named");
        SharedArray.Bytes mine = shared(SharedArray.bytes(4096, name));
        mine.set(0, (byte) 7);
        Pool pool = open.add(Pool.processes(1));
        int seen =
                pool.submit(
                                () -> {
                                    SharedArray.Bytes there = SharedArray.attachBytes(name);
                                    there.set(1, (byte) 42);
                                    return there.get(0) + 1000 * there.length();
                                })
                        .get(60, TimeUnit.SECONDS);
        assertThat(seen).isEqualTo(7 + 1000 * 4096);
        assertThat(mine.get(1)).as("the worker's write, in the same memory").isEqualTo((byte) 42);
        assertThatThrownBy(() -> SharedArray.bytes(16, name))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> SharedArray.bytes(16, "../escape"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("letters, digits");
        assertThat(Files.exists(SharedMemory.folder().resolve("named-" + name + ".ref"))).isTrue();

        mine.close();
        assertThat(Files.exists(SharedMemory.folder().resolve("named-" + name + ".ref")))
                .as("the name goes with the array")
                .isFalse();
        assertThatThrownBy(() -> SharedArray.attachBytes(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no shared memory named");
        shared(SharedArray.bytes(16, name)).set(0, (byte) 1); // the name is free again
    }

    @Test
    void aNameWhoseCreatorWasKilledIsFreeAgain() throws Exception {
        String name = name("orphan");
        Pool pool = open.add(Pool.processes(1));
        long pid =
                pool.submit(
                                () -> {
                                    SharedArray.bytes(64, name).set(0, (byte) 1);
                                    return ProcessHandle.current().pid();
                                })
                        .get(60, TimeUnit.SECONDS);
        assertThat(SharedArray.attachBytes(name).get(0))
                .as("alive: attachable")
                .isEqualTo((byte) 1);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL
        assertThat(Workers.awaitDead(List.of(pid), Duration.ofSeconds(30))).isTrue();
        assertThatThrownBy(() -> SharedArray.attachBytes(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exited");
        SharedArray.Bytes again = shared(SharedArray.bytes(64, name));
        assertThat(again.get(0)).as("a new, zeroed array").isZero();
    }

    @Test
    void aSharedListHoldsNumbersStringsAndBytesAndRefusesWhatDoesNotFit() {
        SharedList l = shared(SharedList.of("alice", 3L, 1.5, true, null, new byte[] {1, 2}, 9));
        assertThat(l.size()).isEqualTo(7);
        assertThat(l.snapshot())
                .containsExactly("alice", 3L, 1.5, true, null, new byte[] {1, 2}, 9);
        assertThat(l.set(1, 4L)).isEqualTo(3L);
        assertThat(l.set(4, "was null")).as("8 bytes of room, 8 bytes of text").isNull();
        assertThat(l.get(4)).isEqualTo("was null");
        l.set(0, 12.5); // another type that fits
        assertThat(l.get(0)).isEqualTo(12.5);
        assertThatThrownBy(() -> l.set(1, "a string longer than eight"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("room for 8 bytes")
                .hasMessageContaining("cannot grow");
        assertThatThrownBy(() -> l.set(2, new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object");
        assertThatThrownBy(() -> l.get(7)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> l.asList().add("more"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(l.asList().indexOf(4L)).isEqualTo(1);
    }

    /**
     * Two worker JVMs write whole strings of one letter to the same positions while the parent
     * reads them: every read is one writer's whole string, never a mix.
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12})
    void readsAcrossWorkerJvmsNeverSeeAHalfWrittenValue(long seed) throws Exception {
        String a = "a".repeat(200);
        String b = "b".repeat(200);
        SharedList l = shared(SharedList.of(a, a, a));
        SharedEvent stop = shared(SharedEvent.create());
        Pool pool = open.add(Pool.processes(2));
        List<CompletableFuture<Integer>> writers = new ArrayList<>();
        for (String letter : List.of(a, b)) {
            long mine = seed * 7 + letter.charAt(0);
            writers.add(
                    pool.submit(
                            () -> {
                                Random r = new Random(mine);
                                int n = 0;
                                while (!stop.isSet()) {
                                    l.set(r.nextInt(3), letter);
                                    n++;
                                }
                                return n;
                            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        int reads = 0;
        int torn = 0;
        Set<Object> seen = new HashSet<>();
        while (System.nanoTime() < deadline) {
            Object v = l.get(reads % 3);
            seen.add(v);
            torn += v.equals(a) || v.equals(b) ? 0 : 1;
            reads++;
        }
        stop.set();
        int writes = 0;
        for (CompletableFuture<Integer> w : writers) {
            writes += w.get(60, TimeUnit.SECONDS);
        }
        assertThat(writes).isPositive();
        assertThat(seen).as("both writers' values were read").containsExactlyInAnyOrder(a, b);
        assertThat(torn).as("torn reads out of " + reads).isZero();
    }

    /**
     * A writer that dies in the middle of a write leaves its position's word odd: the next writer
     * takes it over after {@value SharedList#STUCK_MILLIS} ms, and a reader gets null.
     */
    @Test
    void aPositionLeftHalfWrittenIsTakenOver() {
        SharedList l = shared(SharedList.of("first", "second"));
        long p = l.position(1);
        long seq = (long) Segment.LONG.getVolatile(l.memory, p);
        Segment.LONG.setVolatile(l.memory, p, seq + 1); // as a writer that died after entering
        assertThat(l.get(1)).as("the half-written value is gone").isNull();
        assertThat(l.set(1, "third")).isNull();
        assertThat(l.get(1)).isEqualTo("third");
        Segment.LONG.setVolatile(
                l.memory,
                l.position(0),
                (long) Segment.LONG.getVolatile(l.memory, l.position(0)) + 1);
        assertThat(l.set(0, "fourth")).as("a writer takes it over too").isNull();
        assertThat(l.snapshot()).containsExactly("fourth", "third");
    }

    /**
     * A {@link ManagedList} (Python's {@code Manager().list()}) grown by 3 worker JVMs at once:
     * every element arrives once, and the owner's operations and a worker's see the same list.
     */
    @Test
    void aManagedListGrowsFromThreeWorkerJvmsAndLosesNothing() throws Exception {
        ManagedList<String> log = shared(ManagedList.create());
        Pool pool = open.add(Pool.processes(3));
        List<Integer> inputs = IntStream.range(0, 600).boxed().toList();
        pool.map(
                (Integer i) -> {
                    log.add("saw " + i);
                    return null;
                },
                inputs,
                20);
        assertThat(log.size()).isEqualTo(600);
        assertThat(log.snapshot())
                .containsExactlyInAnyOrderElementsOf(inputs.stream().map(i -> "saw " + i).toList());
        log.add(0, null);
        assertThat(log.get(0)).isNull();
        int index =
                pool.submit(
                                () -> {
                                    log.set(1, "changed in a worker");
                                    return log.indexOf("changed in a worker");
                                })
                        .get(60, TimeUnit.SECONDS);
        assertThat(index).isEqualTo(1);
        assertThat(log.remove(1)).isEqualTo("changed in a worker");
        assertThat(log.contains("changed in a worker")).isFalse();
        assertThatThrownBy(() -> log.get(10_000)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(
                        pool.submit(
                                        () -> {
                                            try {
                                                log.get(10_000);
                                                return "no exception";
                                            } catch (IndexOutOfBoundsException e) {
                                                return "thrown in the worker too";
                                            }
                                        })
                                .get(60, TimeUnit.SECONDS))
                .isEqualTo("thrown in the worker too");
        log.clear();
        assertThat(log.isEmpty()).isTrue();
    }
}
