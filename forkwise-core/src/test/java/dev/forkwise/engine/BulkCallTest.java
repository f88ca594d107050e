package dev.forkwise.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forkwise.Fn;
import dev.forkwise.codec.Packed;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * {@link BulkCall}: results gathered in input order whichever order and threads the chunks complete
 * on, packed chunks joined still packed, and a failure that cancels every chunk made before it and
 * refuses every chunk made after it, even while the two race.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BulkCallTest {

    private static final Fn<Object, ?> DOUBLE = x -> 2 * (Integer) x;

    /** Chunks of {@code size} over {@code 0..n-1}, not handed over. */
    private static List<TaskFuture<Object[]>> chunks(int n, int size) {
        List<TaskFuture<Object[]>> out = new ArrayList<>();
        for (int start = 0; start < n; start += size) {
            Object[] inputs = IntStream.range(start, Math.min(n, start + size)).boxed().toArray();
            Chunk c = new Chunk("map", DOUBLE, inputs, start);
            out.add(TaskFuture.forBulk(c, c));
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void resultsArriveInInputOrderWhateverOrderTheChunksCompleteIn(long seed) throws Exception {
        Random random = new Random(seed);
        int n = 1 + random.nextInt(2_000);
        int size = 1 + random.nextInt(40);
        List<TaskFuture<Object[]>> chunks = chunks(n, size);
        BulkCall<Object> call = new BulkCall<>(chunks.size(), n);
        for (TaskFuture<Object[]> f : chunks) {
            assertThat(call.add(f)).isTrue();
        }
        List<TaskFuture<Object[]>> shuffled = new ArrayList<>(chunks);
        Collections.shuffle(shuffled, random);
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            for (TaskFuture<Object[]> f : shuffled) {
                threads.execute(f);
            }
        }
        List<Object> results = call.result().get(30, TimeUnit.SECONDS);
        assertThat(results)
                .containsExactlyElementsOf(IntStream.range(0, n).map(i -> 2 * i).boxed().toList());
        assertThat(call.inputsDone()).isEqualTo(n);
    }

    @Test
    void chunksThatCameBackPackedAreJoinedPacked() throws Exception {
        List<TaskFuture<Object[]>> chunks = chunks(10, 5);
        BulkCall<Object> call = new BulkCall<>(2, 10);
        chunks.forEach(call::add);
        // as a worker JVM's reply completes them: a primitive array, not an Object[]
        @SuppressWarnings({"unchecked", "rawtypes"})
        TaskFuture<Object> second = (TaskFuture) chunks.get(1);
        second.completeRemotely(Packed.ofInts(new int[] {10, 12, 14, 16, 18}));
        @SuppressWarnings({"unchecked", "rawtypes"})
        TaskFuture<Object> first = (TaskFuture) chunks.get(0);
        first.completeRemotely(Packed.ofInts(new int[] {0, 2, 4, 6, 8}));
        List<Object> results = call.result().get(5, TimeUnit.SECONDS);
        assertThat(results).containsExactly(0, 2, 4, 6, 8, 10, 12, 14, 16, 18);
        assertThat(results.getClass().getSimpleName()).isEqualTo("PackedList");
    }

    @Test
    void packedAndObjectChunksMixedStillComeInOrder() throws Exception {
        List<TaskFuture<Object[]>> chunks = chunks(6, 3);
        BulkCall<Object> call = new BulkCall<>(2, 6);
        chunks.forEach(call::add);
        chunks.get(1).run(); // an Object[] of 6, 8, 10
        @SuppressWarnings({"unchecked", "rawtypes"})
        TaskFuture<Object> first = (TaskFuture) chunks.get(0);
        first.completeRemotely(Packed.ofInts(new int[] {0, 2, 4}));
        assertThat(call.result().get(5, TimeUnit.SECONDS)).containsExactly(0, 2, 4, 6, 8, 10);
    }

    @Test
    void aFailureCancelsTheChunksMadeBeforeItAndRefusesTheNext() {
        List<TaskFuture<Object[]>> chunks = chunks(4, 1);
        BulkCall<Object> call = new BulkCall<>(4, 4);
        call.add(chunks.get(0));
        call.add(chunks.get(1));
        chunks.get(1).completeExceptionally(new IllegalStateException("boom"));
        assertThat(chunks.get(0).isCancelled()).isTrue();
        assertThat(call.add(chunks.get(2))).isFalse();
        assertThat(chunks.get(2).isCancelled()).isTrue();
        assertThatThrownBy(() -> call.result().get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("boom");
    }

    /**
     * One thread makes chunks while another fails the first one: whatever the interleaving, no
     * chunk the first thread was allowed to hand over stays uncancelled once the failure is known.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    void aFailureRacingWithTheMakingOfChunksLeavesNoneBehind(long seed) throws Exception {
        Random random = new Random(seed);
        try (ExecutorService two = Executors.newFixedThreadPool(2)) {
            for (int round = 0; round < 3_000; round++) {
                int n = 2 + random.nextInt(200);
                List<TaskFuture<Object[]>> chunks = chunks(n, 1);
                BulkCall<Object> call = new BulkCall<>(n, n);
                call.add(chunks.get(0));
                int spin = random.nextInt(2_000);
                Future<Integer> maker =
                        two.submit(
                                () -> {
                                    int added = 1;
                                    while (added < n && call.add(chunks.get(added))) {
                                        added++;
                                    }
                                    return added;
                                });
                Future<?> failer =
                        two.submit(
                                () -> {
                                    for (int i = 0; i < spin; i++) {
                                        Thread.onSpinWait();
                                    }
                                    chunks.get(0)
                                            .completeExceptionally(new IllegalStateException());
                                });
                failer.get(10, TimeUnit.SECONDS);
                int made = maker.get(10, TimeUnit.SECONDS);
                for (int i = 1; i < Math.min(n, made + 1); i++) {
                    assertThat(chunks.get(i).isCancelled())
                            .as("round %d: chunk %d of %d made", round, i, made)
                            .isTrue();
                }
            }
        }
    }
}
