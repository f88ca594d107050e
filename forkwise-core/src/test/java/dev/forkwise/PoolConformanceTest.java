package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * What every backend must do. Each backend's test class extends this one and says how to make its
 * pool; the rules are the same for all.
 *
 * <p>Rules for the tests here, so that they hold on a process or cluster backend too: tasks are
 * lambdas that capture only serializable values (strings, numbers); side effects a test checks are
 * marker files ({@link Markers}); overlap is measured by the wall clock ({@link Intervals}). Every
 * test has a timeout, and every pool a test makes is shut down after it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class PoolConformanceTest {

    /** Long enough that a task still sleeping proves the caller did not wait for it. */
    private static final long FOREVER_MS = 60_000;

    private final List<Pool> pools = new ArrayList<>();

    @TempDir Path tmp;

    /** For subclasses, one per backend. */
    protected PoolConformanceTest() {}

    /**
     * Makes the pool under test.
     *
     * @param parallelism the bound wanted; a backend without a bound may ignore it
     * @return a new pool
     */
    protected abstract Pool create(int parallelism);

    /** Makes a pool that the test's cleanup shuts down, whatever happens. */
    protected final Pool pool(int parallelism) {
        Pool p = create(parallelism);
        pools.add(p);
        return p;
    }

    @AfterEach
    void shutDownPools() throws InterruptedException {
        for (Pool p : pools) {
            p.shutdownNow();
            assertThat(p.awaitTermination(30, TimeUnit.SECONDS))
                    .as("pool %s terminates after shutdownNow", p.name())
                    .isTrue();
        }
    }

    private String dir() {
        return tmp.toString();
    }

    private static boolean bounded(Pool p) {
        return p.parallelism() != Integer.MAX_VALUE;
    }

    // ------------------------------------------------------------------ ordering and results

    static Stream<Long> seeds() {
        return LongStream.rangeClosed(1, 8).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void mapReturnsResultsInInputOrderForAnyChunkSize(long seed) {
        Random rnd = new Random(seed);
        int n = rnd.nextInt(200);
        List<Integer> inputs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            inputs.add(rnd.nextInt(1_000_000) - 500_000);
        }
        Pool pool = pool(1 + rnd.nextInt(4));
        List<Long> expected = inputs.stream().map(x -> (long) x * x - x).toList();
        // Random small sleeps make tasks finish out of order; results must not.
        Fn<Integer, Long> f =
                x -> {
                    if ((x & 7) == 0) {
                        Thread.sleep(1);
                    }
                    return (long) x * x - x;
                };
        assertThat(pool.map(f, inputs)).containsExactlyElementsOf(expected);
        int chunk = 1 + rnd.nextInt(50);
        assertThat(pool.map(f, inputs, chunk))
                .as("chunkSize %d", chunk)
                .containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void imapKeepsInputOrderAndImapUnorderedLosesNothing(long seed) {
        Random rnd = new Random(seed);
        int n = rnd.nextInt(300);
        List<Integer> inputs = IntStream.range(0, n).map(i -> rnd.nextInt()).boxed().toList();
        Pool pool = pool(1 + rnd.nextInt(4));
        Fn<Integer, String> f =
                x -> {
                    if ((x & 3) == 0) {
                        Thread.sleep(1);
                    }
                    return "v" + x;
                };
        List<String> expected = inputs.stream().map(x -> "v" + x).toList();
        int chunk = 1 + rnd.nextInt(20);
        assertThat(pool.imap(f, inputs).toList()).containsExactlyElementsOf(expected);
        assertThat(pool.imap(f, inputs, chunk).toList()).containsExactlyElementsOf(expected);
        assertThat(pool.imapUnordered(f, inputs).toList())
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(pool.imapUnordered(f, inputs, chunk).toList())
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void emptyInputGivesEmptyResults() {
        Pool pool = pool(2);
        assertThat(pool.map((Integer x) -> x, List.of())).isEmpty();
        assertThat(pool.imap((Integer x) -> x, List.of()).toList()).isEmpty();
        assertThat(pool.imapUnordered((Integer x) -> x, List.of()).toList()).isEmpty();
    }

    @Test
    void nullResultsAreAllowed() {
        Pool pool = pool(2);
        assertThat(pool.map((Integer x) -> (String) null, List.of(1, 2, 3)))
                .containsExactly(null, null, null);
        assertThat(pool.submit(() -> (String) null).join()).isNull();
    }

    @Test
    void starmapAndApplyAsyncAndSubmitVariants() throws Exception {
        Pool pool = pool(2);
        assertThat(
                        pool.starmap(
                                (Integer a, String b) -> b.repeat(a),
                                List.of(Map.entry(2, "ab"), Map.entry(3, "c"))))
                .containsExactly("abab", "ccc");
        assertThat(pool.applyAsync((Integer x) -> x + 1, 41).get(10, TimeUnit.SECONDS))
                .isEqualTo(42);
        assertThat(pool.submit(() -> "call").get(10, TimeUnit.SECONDS)).isEqualTo("call");
        Callable<String> plain = (Callable<String> & Serializable) () -> "callable";
        assertThat(pool.submit(plain).get(10, TimeUnit.SECONDS)).isEqualTo("callable");
        String d = dir();
        assertThat(
                        pool.submit((Runnable & Serializable) () -> Markers.touch(d, "ran"))
                                .get(10, TimeUnit.SECONDS))
                .isNull();
        assertThat(Markers.exists(d, "ran")).isTrue();
        assertThat(
                        pool.submit((Runnable & Serializable) () -> {}, "fixed")
                                .get(10, TimeUnit.SECONDS))
                .isEqualTo("fixed");
        pool.execute((Runnable & Serializable) () -> Markers.touch(d, "executed"));
        assertThat(Markers.await(d, "executed", Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void invokeAllAndInvokeAny() throws Exception {
        Pool pool = pool(3);
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int v = i;
            tasks.add((Call<Integer>) () -> v * 10);
        }
        List<Future<Integer>> all = pool.invokeAll(tasks);
        assertThat(all).allMatch(Future::isDone);
        assertThat(all.stream().map(Future::resultNow).toList())
                .containsExactly(0, 10, 20, 30, 40, 50, 60, 70, 80, 90);
        assertThat(pool.invokeAny(tasks)).isIn(0, 10, 20, 30, 40, 50, 60, 70, 80, 90);

        List<Callable<Integer>> failing =
                List.of(
                        (Call<Integer>)
                                () -> {
                                    throw new IOException("no");
                                });
        assertThatThrownBy(() -> pool.invokeAny(failing))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IOException.class);

        List<Callable<Integer>> slow =
                List.of(
                        (Call<Integer>)
                                () -> {
                                    Thread.sleep(FOREVER_MS);
                                    return 1;
                                });
        List<Future<Integer>> timedOut = pool.invokeAll(slow, 50, TimeUnit.MILLISECONDS);
        assertThat(timedOut.getFirst().isCancelled()).isTrue();
    }

    // ------------------------------------------------------------------ laziness

    /** An endless source that counts how many elements were pulled. */
    private static final class Counting implements Iterable<Long> {
        final AtomicLong pulled = new AtomicLong();

        @Override
        public Iterator<Long> iterator() {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public Long next() {
                    return pulled.getAndIncrement();
                }
            };
        }
    }

    private static long inFlightBound(Pool pool) {
        return Math.min(4096, Math.max(2L, 2L * pool.parallelism()));
    }

    @Test
    void imapPullsNothingUntilConsumedAndBoundedAheadOnInfiniteInput() {
        Pool pool = pool(3);
        Counting source = new Counting();
        Stream<Long> results = pool.imap((Long x) -> x * 2, source);
        assertThat(source.pulled.get()).as("pulled before the stream is consumed").isZero();

        List<Long> first = results.limit(1_000).toList();

        assertThat(first)
                .containsExactlyElementsOf(
                        LongStream.range(0, 1_000).map(x -> 2 * x).boxed().toList());
        assertThat(source.pulled.get())
                .as("inputs pulled for 1,000 results")
                .isBetween(1_000L, 1_000L + inFlightBound(pool));
    }

    @Test
    void imapUnorderedIsBoundedOnInfiniteInputToo() {
        Pool pool = pool(2);
        Counting source = new Counting();
        try (Stream<Long> results = pool.imapUnordered((Long x) -> x, source, 4)) {
            assertThat(results.limit(20_000).count()).isEqualTo(20_000);
        }
        assertThat(source.pulled.get()).isBetween(20_000L, 20_000L + 4 * inFlightBound(pool));
    }

    @Test
    void closingAnImapStreamCancelsTasksInFlight() throws Exception {
        Pool pool = pool(2);
        String d = dir();
        Stream<Integer> s =
                pool.imap(
                        (Integer i) -> {
                            if (i == 0) {
                                return 0;
                            }
                            Markers.touch(d, "started-" + i);
                            Thread.sleep(FOREVER_MS);
                            return i;
                        },
                        IntStream.range(0, 1_000_000).boxed()::iterator);
        Iterator<Integer> it = s.iterator();
        assertThat(it.next()).isZero();
        assertThat(Markers.await(d, "started-1", Duration.ofSeconds(10))).isTrue();
        s.close();
        // The sleeping tasks were interrupted: the pool can run new work at once.
        assertThat(pool.submit(() -> "free").get(10, TimeUnit.SECONDS)).isEqualTo("free");
    }

    // ------------------------------------------------------------------ failures

    @Test
    void aFailingTaskFailsItsFutureWithTheTasksOwnException() {
        Pool pool = pool(2);
        CompletableFuture<Object> f =
                pool.submit(
                        () -> {
                            throw new IOException("disk on fire");
                        });
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .hasMessage("disk on fire");
        assertThatThrownBy(f::join)
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(IOException.class);
        assertThat(f.exceptionNow()).isInstanceOf(IOException.class).hasMessage("disk on fire");
        assertThat(f.state()).isEqualTo(Future.State.FAILED);
        // The pool survives a failed task.
        assertThat(pool.submit(() -> 7).join()).isEqualTo(7);
    }

    @Test
    void mapThrowsTaskFailedExceptionNamingTheInput() {
        Pool pool = pool(2);
        assertThatThrownBy(() -> pool.map((Integer x) -> 10 / (x - 3), List.of(1, 2, 3, 4, 5), 1))
                .isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("map input #2 (3)")
                .satisfies(
                        e ->
                                assertThat(((TaskFailedException) e).task())
                                        .isEqualTo("map input #2 (3)"))
                .cause()
                .isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(
                        () ->
                                pool.imap((Integer x) -> 10 / (x - 3), List.of(1, 2, 3, 4, 5))
                                        .toList())
                .isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("imap input #2 (3)");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS) // the other tasks sleep 60 s: map must not wait
    void mapFailsFastAndCancelsWhatHasNotStarted() {
        Pool pool = pool(1);
        String d = dir();
        long sleep = bounded(pool) ? 200 : FOREVER_MS;
        List<Integer> inputs = IntStream.range(0, 50).boxed().toList();
        assertThatThrownBy(
                        () ->
                                pool.map(
                                        (Integer i) -> {
                                            if (i == 0) {
                                                throw new IllegalStateException("first one fails");
                                            }
                                            Markers.touch(d, "ran-" + i);
                                            Thread.sleep(sleep);
                                            return i;
                                        },
                                        inputs,
                                        1))
                .isInstanceOf(TaskFailedException.class)
                .cause()
                .hasMessage("first one fails");
        if (bounded(pool)) {
            // close() waits for every task that was not cancelled: with one worker, at most the
            // one it picked up while map was cancelling the rest may have run.
            pool.close();
            assertThat(Markers.count(d, "ran-")).isLessThan(10);
        }
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void cancellingARunningTaskInterruptsIt() throws Exception {
        Pool pool = pool(1);
        String d = dir();
        CompletableFuture<String> f =
                pool.submit(
                        () -> {
                            Markers.touch(d, "started");
                            try {
                                Thread.sleep(FOREVER_MS);
                                return "slept";
                            } catch (InterruptedException e) {
                                Markers.touch(d, "interrupted");
                                throw e;
                            }
                        });
        assertThat(Markers.await(d, "started", Duration.ofSeconds(10))).isTrue();
        assertThat(f.cancel(true)).isTrue();
        assertThat(f.isCancelled()).isTrue();
        assertThat(Markers.await(d, "interrupted", Duration.ofSeconds(10))).isTrue();
        assertThat(pool.submit(() -> "next").get(10, TimeUnit.SECONDS)).isEqualTo("next");
    }

    @Test
    void aTaskCancelledBeforeItStartsNeverRuns() throws Exception {
        Pool pool = pool(1);
        assumeTrue(
                bounded(pool),
                "an unbounded pool starts every task at once: nothing waits to be cancelled");
        String d = dir();
        CompletableFuture<String> blocker =
                pool.submit(
                        () -> {
                            Markers.touch(d, "blocking");
                            Markers.waitFor(d, "open");
                            return "done";
                        });
        CompletableFuture<String> queued =
                pool.submit(
                        () -> {
                            Markers.touch(d, "queued-ran");
                            return "ran";
                        });
        assertThat(Markers.await(d, "blocking", Duration.ofSeconds(10))).isTrue();
        assertThat(queued.cancel(false)).isTrue();
        Markers.touch(d, "open");
        assertThat(blocker.get(10, TimeUnit.SECONDS)).isEqualTo("done");
        pool.close();
        assertThat(queued.isCancelled()).isTrue();
        assertThat(Markers.exists(d, "queued-ran")).isFalse();
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void closeWaitsForSubmittedWork() {
        Pool pool = pool(2);
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int v = i;
            fs.add(
                    pool.submit(
                            () -> {
                                Thread.sleep(100);
                                return v;
                            }));
        }
        pool.close();
        assertThat(pool.isShutdown()).isTrue();
        assertThat(pool.isTerminated()).isTrue();
        assertThat(fs.stream().map(CompletableFuture::resultNow).toList())
                .containsExactly(0, 1, 2, 3, 4, 5);
        pool.close(); // idempotent
    }

    @Test
    void everyKindOfSubmitAfterCloseIsRejectedNamingThePool() {
        Pool pool = pool(2);
        pool.close();
        List<Runnable> calls =
                List.of(
                        () -> pool.submit(() -> 1),
                        () -> pool.submit((Runnable & Serializable) () -> {}),
                        () -> pool.execute((Runnable & Serializable) () -> {}),
                        () -> pool.map((Integer x) -> x, List.of(1)),
                        () -> pool.imap((Integer x) -> x, List.of(1)),
                        () -> pool.imapUnordered((Integer x) -> x, List.of(1)),
                        () -> pool.applyAsync((Integer x) -> x, 1),
                        () -> pool.starmap((Integer a, Integer b) -> a, List.of(Map.entry(1, 2))));
        for (Runnable call : calls) {
            assertThatThrownBy(call::run)
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining(pool.name())
                    .hasMessageContaining("shut down");
        }
        assertThatThrownBy(() -> pool.invokeAll(List.of((Call<Integer>) () -> 1)))
                .isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void shutdownNowInterruptsRunningTasksAndCancelsQueuedOnes() throws Exception {
        Pool pool = pool(1);
        String d = dir();
        CompletableFuture<String> running =
                pool.submit(
                        () -> {
                            Markers.touch(d, "running");
                            Thread.sleep(FOREVER_MS);
                            return "not interrupted";
                        });
        assertThat(Markers.await(d, "running", Duration.ofSeconds(10))).isTrue();
        List<CompletableFuture<String>> queued = new ArrayList<>();
        if (bounded(pool)) {
            for (int i = 0; i < 3; i++) {
                queued.add(pool.submit(() -> "queued"));
            }
        }
        List<Runnable> neverStarted = pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.isTerminated()).isTrue();
        assertThatThrownBy(() -> running.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(InterruptedException.class);
        assertThat(neverStarted).hasSize(queued.size());
        assertThat(queued).allMatch(CompletableFuture::isCancelled);
    }

    @Test
    void shutdownLetsSubmittedWorkFinish() throws Exception {
        Pool pool = pool(1);
        List<CompletableFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int v = i;
            fs.add(
                    pool.submit(
                            () -> {
                                Thread.sleep(20);
                                return v;
                            }));
        }
        pool.shutdown();
        assertThat(pool.isShutdown()).isTrue();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(fs.stream().map(CompletableFuture::resultNow).toList())
                .containsExactly(0, 1, 2, 3, 4);
    }

    // ------------------------------------------------------------------ volume and concurrency

    @Test
    void tenThousandTinyTasks() {
        Pool pool = pool(4);
        List<CompletableFuture<Integer>> fs = new ArrayList<>(10_000);
        for (int i = 0; i < 10_000; i++) {
            int v = i;
            fs.add(pool.submit(() -> v + 1));
        }
        long sum = 0;
        for (CompletableFuture<Integer> f : fs) {
            sum += f.join();
        }
        assertThat(sum).isEqualTo(10_000L * 10_001 / 2);
        List<Integer> inputs = IntStream.range(0, 10_000).boxed().toList();
        assertThat(pool.map((Integer x) -> x + 1, inputs))
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 10_000).boxed().toList());
    }

    @Test
    void concurrencyReachesThePoolSizeAndNeverExceedsIt() {
        int size = 4;
        Pool pool = pool(size);
        if (bounded(pool)) {
            assertThat(pool.parallelism()).as("the bound the pool was asked for").isEqualTo(size);
        }
        int expected = bounded(pool) ? size : 32;
        int tasks = bounded(pool) ? 2 * expected : expected;
        List<Integer> inputs = Collections.nCopies(tasks, 500);
        List<Intervals> runs = pool.map((Integer ms) -> Intervals.sleep(ms), inputs, 1);
        assertThat(Intervals.maxOverlap(runs)).isEqualTo(expected);
    }
}
