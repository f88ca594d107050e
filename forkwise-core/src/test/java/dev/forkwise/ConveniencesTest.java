package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * What a user porting {@code concurrent.futures} and {@code multiprocessing.Pool} code reaches for,
 * on every backend: void tasks, {@code as_completed}, {@code wait}, {@code map(timeout=)}, {@code
 * map_async}, {@code starmap} of three, and a stream stage. Tasks wait on marker files the test
 * creates, so the order of events is the test's, not the clock's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConveniencesTest {

    @TempDir Path tmp;

    @RegisterExtension final OpenPools open = new OpenPools();

    static Stream<Arguments> backends() {
        return Stream.of(
                Arguments.of(Named.of("threads", (IntFunction<Pool>) Pool::threads)),
                Arguments.of(
                        Named.of("virtualThreads", (IntFunction<Pool>) n -> Pool.virtualThreads())),
                Arguments.of(Named.of("auto", (IntFunction<Pool>) n -> Pool.auto(n))),
                Arguments.of(Named.of("processes", (IntFunction<Pool>) Pool::processes)));
    }

    private Pool pool(IntFunction<Pool> factory, int n) {
        return open.add(factory.apply(n));
    }

    /** Waits for the test to create marker {@code go-i}, then returns {@code i}. */
    static Integer gated(String dir, int i) throws Exception {
        Markers.waitFor(dir, "go-" + i);
        if (i < 0) {
            throw new IOException("gate " + i + " failed");
        }
        return i;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void runTakesAVoidActionAndItsFutureFailsWithWhatItThrew(IntFunction<Pool> factory)
            throws Exception {
        Pool pool = pool(factory, 2);
        String d = tmp.toString();
        CompletableFuture<Void> ran = pool.run(() -> Markers.touch(d, "ran"));
        assertThat(ran.get(30, TimeUnit.SECONDS)).isNull();
        assertThat(Markers.exists(d, "ran")).isTrue();
        CompletableFuture<Void> failed =
                pool.run(
                        () -> {
                            throw new IOException("action failed");
                        });
        assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS))
                .cause()
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("action failed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void asCompletedHandsOutFuturesInTheOrderTheyComplete(IntFunction<Pool> factory)
            throws Exception {
        Pool pool = pool(factory, 3);
        String d = tmp.toString();
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int v = i;
            fs.add(pool.submit(() -> gated(d, v)));
        }
        Iterator<CompletableFuture<Integer>> order = Futures.asCompleted(fs).iterator();
        for (int gate : new int[] {2, 0, 1}) {
            Markers.touch(d, "go-" + gate);
            assertThat(order.next()).isSameAs(fs.get(gate));
        }
        assertThat(order.hasNext()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void awaitReturnsWhenItsConditionHoldsOrItsLimitPasses(IntFunction<Pool> factory)
            throws Exception {
        Pool pool = pool(factory, 4);
        String d = tmp.toString();
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        for (int i : new int[] {0, 1, -1, 3}) {
            fs.add(pool.submit(() -> gated(d, i)));
        }
        Futures.Waited<CompletableFuture<Integer>> none =
                Futures.await(fs, Futures.Until.ALL_COMPLETED, Duration.ofMillis(100));
        assertThat(none.done()).isEmpty();
        assertThat(none.notDone()).containsExactlyElementsOf(fs);

        Markers.touch(d, "go-1");
        Futures.Waited<CompletableFuture<Integer>> first =
                Futures.await(fs, Futures.Until.FIRST_COMPLETED, Duration.ofSeconds(30));
        assertThat(first.done()).containsExactly(fs.get(1));

        Markers.touch(d, "go-0");
        fs.get(0).get(30, TimeUnit.SECONDS);
        Futures.Waited<CompletableFuture<Integer>> noFailureYet =
                Futures.await(fs, Futures.Until.FIRST_FAILURE, Duration.ofMillis(200));
        assertThat(noFailureYet.done()).containsExactlyInAnyOrder(fs.get(0), fs.get(1));
        Markers.touch(d, "go--1");
        Futures.Waited<CompletableFuture<Integer>> failure =
                Futures.await(fs, Futures.Until.FIRST_FAILURE, Duration.ofSeconds(30));
        assertThat(failure.done()).contains(fs.get(2));
        assertThat(failure.notDone()).containsExactly(fs.get(3));

        Markers.touch(d, "go-3");
        Futures.Waited<CompletableFuture<Integer>> all =
                Futures.await(fs, Futures.Until.ALL_COMPLETED, Duration.ofSeconds(30));
        assertThat(all.done()).containsExactlyElementsOf(fs);
        assertThat(all.notDone()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void mapWithATimeLimitCancelsWhatIsLeftAndSaysHowFarItGot(IntFunction<Pool> factory)
            throws Exception {
        Pool pool = pool(factory, 2);
        String d = tmp.toString();
        assertThat(pool.map((Integer i) -> i, List.of(1, 2), 1))
                .hasSize(2); // workers up: the limit is the tasks'
        Markers.touch(d, "go-0");
        assertThatThrownBy(
                        () ->
                                pool.map(
                                        (Integer i) -> gated(d, i),
                                        List.of(0, 1, 2, 3),
                                        1,
                                        Duration.ofSeconds(2)))
                .isInstanceOfSatisfying(
                        MapTimeoutException.class,
                        e -> {
                            assertThat(e.total()).isEqualTo(4);
                            assertThat(e.done()).isEqualTo(1);
                            assertThat(e.limit()).isEqualTo(Duration.ofSeconds(2));
                            assertThat(e).hasMessageContaining("1 of 4 inputs were done");
                        });
        assertThat(pool.map((Integer i) -> i + 1, List.of(1, 2), Duration.ofSeconds(30)))
                .containsExactly(2, 3);
        assertThatThrownBy(() -> pool.map((Integer i) -> i, List.of(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void mapAsyncAndStarmapAsyncReturnAtOnce(IntFunction<Pool> factory) throws Exception {
        Pool pool = pool(factory, 2);
        String d = tmp.toString();
        CompletableFuture<List<Integer>> later =
                pool.mapAsync((Integer i) -> gated(d, i), List.of(0, 1, 2), 1);
        assertThat(later).isNotDone();
        for (int i = 0; i < 3; i++) {
            Markers.touch(d, "go-" + i);
        }
        assertThat(later.get(30, TimeUnit.SECONDS)).containsExactly(0, 1, 2);

        CompletableFuture<List<Integer>> failing =
                pool.mapAsync((Integer i) -> 10 / (i - 2), List.of(1, 2, 3));
        assertThatThrownBy(() -> failing.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("mapAsync input #1 (2)");

        CompletableFuture<List<String>> pairs =
                pool.starmapAsync(
                        (String s, Integer n) -> s.repeat(n),
                        List.of(Map.entry("a", 2), Map.entry("b", 3)));
        assertThat(pairs.get(30, TimeUnit.SECONDS)).containsExactly("aa", "bbb");
        assertThat(
                        pool.starmap(
                                (Integer a, Integer b, Integer c) -> a * b + c,
                                List.of(List.of(2, 3, 4), List.of(5, 6, 7))))
                .containsExactly(10, 37);
        assertThatThrownBy(
                        () ->
                                pool.starmap(
                                        (Integer a, Integer b, Integer c) -> a,
                                        List.of(List.of(1, 2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starmap triple #0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void mappingRunsAStreamStageOnThePoolInOrder(IntFunction<Pool> factory) {
        Pool pool = pool(factory, 2);
        List<Integer> out =
                IntStream.range(0, 200)
                        .boxed()
                        .gather(pool.mapping((Integer x) -> x * 2, 7))
                        .toList();
        assertThat(out).isEqualTo(IntStream.range(0, 200).map(x -> x * 2).boxed().toList());
        // an endless stream: limit() stops it, and what is in flight is cancelled
        assertThat(
                        Stream.iterate(0, x -> x + 1)
                                .gather(pool.mapping((Integer x) -> x + 1))
                                .limit(5)
                                .toList())
                .containsExactly(1, 2, 3, 4, 5);
        assertThatThrownBy(
                        () ->
                                Stream.of(1, 2, 3, 4)
                                        .gather(pool.mapping((Integer x) -> 10 / (x - 3)))
                                        .toList())
                .isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("mapping input #2 (3)");
    }

    @Test
    void processesWithoutAnArgumentHasOneWorkerPerCore() {
        Pool pool = open.add(Pool.processes());
        assertThat(pool.parallelism()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    static final ThreadLocal<String> CONNECTION = new ThreadLocal<>();

    @Test
    void threadOptionsNameTheThreadsAndRunTheInitializerInEach() throws Exception {
        Pool pool =
                open.add(
                        Pool.threads(
                                ThreadOptions.builder()
                                        .threads(3)
                                        .namePrefix("fetch")
                                        .initializer(() -> CONNECTION.set("open"))
                                        .build()));
        List<String> seen =
                pool.map(
                        (Integer i) -> Thread.currentThread().getName() + " " + CONNECTION.get(),
                        List.of(1, 2, 3, 4, 5, 6),
                        1);
        assertThat(seen).allMatch(s -> s.matches("fetch-[123] open"));

        Pool broken =
                open.add(
                        Pool.threads(
                                ThreadOptions.builder()
                                        .threads(2)
                                        .initializer(
                                                () -> {
                                                    throw new IllegalStateException("no database");
                                                })
                                        .build()));
        assertThatThrownBy(() -> broken.submit(() -> 1).get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("initializer")
                .hasMessageContaining("the pool is broken")
                .cause()
                .hasMessage("no database");
        assertThatThrownBy(() -> broken.submit(() -> 2).get(30, TimeUnit.SECONDS))
                .cause()
                .hasMessageContaining("initializer");
        assertThatThrownBy(() -> ThreadOptions.builder().threads(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ThreadOptions.builder().namePrefix(" "))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
