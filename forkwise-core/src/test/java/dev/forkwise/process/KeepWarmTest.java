package dev.forkwise.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forkwise.Call;
import dev.forkwise.ChildProcess;
import dev.forkwise.Pool;
import dev.forkwise.ProcessOptions;
import dev.forkwise.Workers;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * {@link ProcessOptions#keepWarm()}: the workers of a pool that is done wait in the JVM's reserve
 * ({@link WarmWorkers}) and the next pool with the same settings runs on them, with real worker
 * JVMs. Every worker a test makes is stopped or killed by pid after it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KeepWarmTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir Path tmp;

    private final List<Pool> pools = new ArrayList<>();

    private Pool pool(ProcessOptions.Builder options) {
        Pool p = Pool.processes(options.build());
        pools.add(p);
        return p;
    }

    private static ProcessOptions.Builder warm(int workers) {
        return ProcessOptions.builder().workers(workers).keepWarm(LONG);
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Pool p : pools) {
            p.shutdownNow();
            assertThat(p.awaitTermination(30, TimeUnit.SECONDS))
                    .as("%s terminates", p.name())
                    .isTrue();
        }
        WarmWorkers.RESERVE.release();
        Workers.killAll();
    }

    private static long pidIn(Pool pool) throws Exception {
        return pool.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS);
    }

    private static void closeAndAwait(Pool pool) throws InterruptedException {
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS))
                .as("%s terminates", pool.name())
                .isTrue();
    }

    private static List<Long> livePids() {
        return Workers.live().stream().map(ProcessHandle::pid).toList();
    }

    @Test
    void keepWarmIsOffByDefaultAndABadDurationFailsWhenSet() {
        assertThat(ProcessOptions.ofWorkers(1).keepWarm()).isEmpty();
        assertThat(ProcessOptions.builder().keepWarm(Duration.ZERO).build().keepWarm()).isEmpty();
        assertThat(ProcessOptions.builder().keepWarm(Duration.ofMinutes(5)).build().keepWarm())
                .hasValue(Duration.ofMinutes(5));
        assertThatThrownBy(() -> ProcessOptions.builder().keepWarm(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "keepWarm must be between zero (off) and one day, was PT-0.001S");
        assertThatThrownBy(() -> ProcessOptions.builder().keepWarm(Duration.ofDays(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was PT48H");
        assertThatThrownBy(() -> ProcessOptions.builder().keepWarm(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("keepWarm");
    }

    @Test
    void aNewPoolRunsOnTheWorkersThatAnEarlierOneKeptWarm() throws Exception {
        Pool first = pool(warm(2));
        long ranOn = pidIn(first);
        closeAndAwait(first);

        List<Long> kept = WarmWorkers.RESERVE.pids();
        assertThat(kept)
                .as("kept once the pool has terminated")
                .contains(ranOn)
                .allMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false));

        Pool second = pool(warm(2));
        assertThat(pidIn(second)).as("the new pool's first task runs on a kept worker").isIn(kept);
        assertThat(WarmWorkers.RESERVE.pids())
                .as("taken out of the reserve")
                .doesNotContainAnyElementsOf(kept);
        assertThat(livePids())
                .as("kept workers and only as many new ones as were missing")
                .containsAll(kept)
                .hasSize(2);
        List<Integer> squares =
                second.map((Integer x) -> x * x, IntStream.range(0, 200).boxed().toList());
        assertThat(squares).isEqualTo(IntStream.range(0, 200).map(x -> x * x).boxed().toList());

        closeAndAwait(second);
        assertThat(WarmWorkers.RESERVE.pids())
                .as("kept again after the second pool")
                .containsAll(kept);
    }

    @Test
    void keptWorkersStopOnceTheirIdleTimeHasPassed() throws Exception {
        Pool p = pool(ProcessOptions.builder().workers(1).keepWarm(Duration.ofMillis(300)));
        long ranOn = pidIn(p);
        closeAndAwait(p);
        assertThat(WarmWorkers.RESERVE.pids()).containsExactly(ranOn);

        assertThat(Workers.awaitDead(List.of(ranOn), Duration.ofSeconds(20)))
                .as("stopped after 300 ms idle: %s", Workers.describe(List.of(ranOn)))
                .isTrue();
        assertThat(WarmWorkers.RESERVE.pids()).isEmpty();
    }

    @Test
    void withoutKeepWarmAPoolNeitherKeepsNorTakesWorkers() throws Exception {
        Pool kept = pool(warm(1));
        long warmPid = pidIn(kept);
        closeAndAwait(kept);

        Pool plain = pool(ProcessOptions.builder().workers(1));
        long plainPid = pidIn(plain);
        assertThat(plainPid)
                .as("a pool without keepWarm starts its own worker")
                .isNotEqualTo(warmPid);
        closeAndAwait(plain);
        assertThat(WarmWorkers.RESERVE.pids()).containsExactly(warmPid);
        assertThat(Workers.awaitDead(List.of(plainPid), Duration.ofSeconds(20)))
                .as("a plain pool's worker stops with it")
                .isTrue();
    }

    @Test
    void aPoolWithOtherSettingsStartsItsOwnWorkers() throws Exception {
        Pool a = pool(warm(1).environment("FORKWISE_TEST_FLAVOUR", "a"));
        long aPid = pidIn(a);
        closeAndAwait(a);

        Pool b = pool(warm(1).environment("FORKWISE_TEST_FLAVOUR", "b"));
        assertThat(
                        b.submit(
                                        () ->
                                                ProcessHandle.current().pid()
                                                        + " "
                                                        + System.getenv("FORKWISE_TEST_FLAVOUR"))
                                .get(60, TimeUnit.SECONDS))
                .as("another environment: a worker of its own")
                .doesNotStartWith(aPid + " ")
                .endsWith(" b");
        Pool c = pool(warm(1).jvmOptions("-Dforkwise.test.flavour=c"));
        assertThat(pidIn(c)).as("other JVM options: a worker of its own").isNotEqualTo(aPid);
        Pool d = pool(warm(1).threadsPerWorker(2));
        assertThat(pidIn(d)).as("other threads per worker: a worker of its own").isNotEqualTo(aPid);
        assertThat(WarmWorkers.RESERVE.pids()).containsExactly(aPid);
    }

    /** Counts its runs in a system property of the worker it runs in. */
    private static Call<Object> countingInitializer(String tag) {
        return () ->
                System.setProperty(
                        "inits." + tag,
                        Integer.toString(Integer.getInteger("inits." + tag, 0) + 1));
    }

    @Test
    void theSameInitializerIsNotRunAgainAndAnotherOneGetsFreshWorkers() throws Exception {
        Pool a = pool(warm(1).initializer(countingInitializer("x")));
        long aPid = pidIn(a);
        closeAndAwait(a);
        assertThat(WarmWorkers.RESERVE.pids()).containsExactly(aPid);

        Pool same = pool(warm(1).initializer(countingInitializer("x")));
        assertThat(
                        same.submit(
                                        () ->
                                                ProcessHandle.current().pid()
                                                        + " "
                                                        + Integer.getInteger("inits.x"))
                                .get(60, TimeUnit.SECONDS))
                .as("the kept worker, its initializer run once")
                .isEqualTo(aPid + " 1");
        closeAndAwait(same);

        Pool other = pool(warm(1).initializer(countingInitializer("y")));
        assertThat(
                        other.submit(
                                        () ->
                                                ProcessHandle.current().pid()
                                                        + " "
                                                        + Integer.getInteger("inits.x")
                                                        + " "
                                                        + Integer.getInteger("inits.y"))
                                .get(60, TimeUnit.SECONDS))
                .as("another initializer: a fresh worker that ran only that one")
                .doesNotStartWith(aPid + " ")
                .endsWith(" null 1");
    }

    @Test
    void aWorkerAtAPoolsMaxTasksIsNotTakenByIt() throws Exception {
        Pool a = pool(warm(1).maxTasksPerWorker(5));
        long aPid = pidIn(a);
        assertThat(pidIn(a)).isEqualTo(aPid);
        closeAndAwait(a);
        assertThat(WarmWorkers.RESERVE.pids()).containsExactly(aPid);

        Pool strict = pool(warm(1).maxTasksPerWorker(2));
        assertThat(pidIn(strict))
                .as("the kept worker has run 2 tasks, this pool's most")
                .isNotEqualTo(aPid);
        Pool loose = pool(warm(1).maxTasksPerWorker(5));
        assertThat(pidIn(loose)).as("it has 3 to go in this one").isEqualTo(aPid);
    }

    @Test
    void theReserveKeepsAtMostOnePoolsWorthAndStopsTheRest() throws Exception {
        Pool a = pool(warm(1));
        Pool b = pool(warm(1));
        long aPid = pidIn(a);
        long bPid = pidIn(b);
        closeAndAwait(a);
        closeAndAwait(b);

        assertThat(WarmWorkers.RESERVE.pids()).containsExactly(aPid);
        assertThat(Workers.awaitDead(List.of(bPid), Duration.ofSeconds(20)))
                .as("the one too many is stopped")
                .isTrue();
    }

    @Test
    void keptWorkersDieWithinTwoSecondsOfTheirParentsSigkill() throws Exception {
        String d = tmp.toString();
        ChildProcess<Object> parent =
                ChildProcess.start(
                        () -> {
                            Pool p =
                                    Pool.processes(
                                            ProcessOptions.builder()
                                                    .workers(2)
                                                    .keepWarm(Duration.ofHours(1))
                                                    .build());
                            p.submit(() -> null).get();
                            p.close();
                            Workers.writePids(d, WarmWorkers.RESERVE.pids());
                            Thread.sleep(300_000);
                            return null;
                        });
        Workers.assertDieWithTheirParent(parent, d);
    }
}
