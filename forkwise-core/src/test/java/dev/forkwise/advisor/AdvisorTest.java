package dev.forkwise.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forkwise.Advice;
import dev.forkwise.Advisor;
import dev.forkwise.Fn;
import dev.forkwise.Workers;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * The advisor tells the synthetic workloads apart on a 2-core machine, with and without a thread of
 * CPU noise running beside it: the thresholds leave wide margins (see {@link Judge}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdvisorTest {

    private static final Object GLOBAL = new Object();

    @AfterEach
    void killWorkers() {
        Workers.killAll();
    }

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private static volatile long sink;

    /**
     * Arithmetic until this thread has used {@code micros} µs of CPU time: CPU-bound work that
     * takes longer, not less, when it has to share its core, whatever the machine's speed.
     */
    static long spin(int micros) {
        // a virtual thread has no CPU clock here (-1): it spins for wall time instead of forever
        boolean cpuClock = MX.getCurrentThreadCpuTime() >= 0;
        long end = (cpuClock ? MX.getCurrentThreadCpuTime() : System.nanoTime()) + micros * 1_000L;
        long x = micros;
        do {
            for (int i = 0; i < 1_000; i++) {
                x = x * 6364136223846793005L + i;
            }
        } while ((cpuClock ? MX.getCurrentThreadCpuTime() : System.nanoTime()) < end);
        return x;
    }

    static long lockedSpin(int micros) {
        synchronized (GLOBAL) {
            return spin(micros);
        }
    }

    static long sleep(int millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }

    static long tiny(int n) {
        long x = n;
        for (int i = 0; i < 200; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    static long mixed(int millis) throws InterruptedException {
        spin(millis * 1000);
        Thread.sleep(millis);
        return millis;
    }

    /** Runs {@code body} with, if asked, a thread spinning beside it the whole time. */
    private static Advice withNoise(boolean noise, Supplier<Advice> body)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        Thread noiseThread =
                noise
                        ? Thread.ofPlatform()
                                .daemon()
                                .start(
                                        () -> {
                                            while (!stop.get()) {
                                                sink += spin(1000);
                                            }
                                        })
                        : null;
        try {
            return body.get();
        } finally {
            stop.set(true);
            if (noiseThread != null) {
                noiseThread.join(10_000);
            }
        }
    }

    @ParameterizedTest(name = "noise: {0}")
    @ValueSource(booleans = {false, true})
    void aCpuSpinIsComputingOnePlatformThreadPerCore(boolean noise) throws Exception {
        Fn<Integer, Long> task = AdvisorTest::spin;
        Advice a = withNoise(noise, () -> Advisor.measure(task, Collections.nCopies(8, 2_000)));
        assertThat(a.kind()).as(a.toString()).isEqualTo(Advice.Kind.COMPUTING);
        assertThat(a.backend()).isEqualTo(Advice.Backend.PLATFORM_THREADS);
        assertThat(a.poolSize()).isEqualTo(Sizing.cores());
        assertThat(a.measured().cpuShare()).isGreaterThan(0.75);
        assertThat(a.reasons())
                .anySatisfy(
                        r ->
                                assertThat(r)
                                        .containsPattern("\\d+% of wall time is CPU time")
                                        .contains("one per core"));
    }

    @ParameterizedTest(name = "noise: {0}")
    @ValueSource(booleans = {false, true})
    void aSleepIsWaitingManyVirtualThreads(boolean noise) throws Exception {
        Fn<Integer, Long> task = AdvisorTest::sleep;
        Advice a = withNoise(noise, () -> Advisor.measure(task, Collections.nCopies(10, 5)));
        assertThat(a.kind()).as(a.toString()).isEqualTo(Advice.Kind.WAITING);
        assertThat(a.backend()).isEqualTo(Advice.Backend.VIRTUAL_THREADS);
        assertThat(a.poolSize()).isGreaterThan(10 * Sizing.cores());
        assertThat(a.reasons())
                .anySatisfy(r -> assertThat(r).containsPattern("\\d+% of wall time is waiting"));
    }

    @ParameterizedTest(name = "noise: {0}")
    @ValueSource(booleans = {false, true})
    void aSpinInsideOneGlobalLockIsJavasGilAndGoesToProcesses(boolean noise) throws Exception {
        Fn<Integer, Long> task = AdvisorTest::lockedSpin;
        Advice a = withNoise(noise, () -> Advisor.measure(task, Collections.nCopies(8, 2_000)));
        assertThat(a.kind()).as(a.toString()).isEqualTo(Advice.Kind.COMPUTING_BEHIND_A_GLOBAL_LOCK);
        assertThat(a.backend()).isEqualTo(Advice.Backend.PROCESSES);
        assertThat(a.measured().concurrentLockShare())
                .isGreaterThanOrEqualTo(Classifier.GLOBAL_LOCK_SHARE);
        assertThat(a.measured().transferNanos())
                .as("a worker round trip was measured")
                .isPositive();
        assertThat(a.reasons())
                .anySatisfy(
                        r ->
                                assertThat(r)
                                        .containsPattern(
                                                "spent \\d+% of their busy time blocked on or"
                                                    + " spinning for a lock")
                                        .contains("GIL"));
    }

    @ParameterizedTest(name = "noise: {0}")
    @ValueSource(booleans = {false, true})
    void aOneMicrosecondTaskIsTinyAndGetsChunksOrRunsInline(boolean noise) throws Exception {
        Fn<Integer, Long> task = AdvisorTest::tiny;
        Advice a =
                withNoise(
                        noise,
                        () -> Advisor.measure(task, IntStream.range(0, 100).boxed().toList()));
        assertThat(a.kind()).as(a.toString()).isEqualTo(Advice.Kind.TINY);
        assertThat(a.backend()).isIn(Advice.Backend.PLATFORM_THREADS, Advice.Backend.INLINE);
        assertThat(a.chunkSize()).as("a chunk of at least 0.5 ms of work").isGreaterThan(25);
        assertThat(a.measured().wallNanos()).isLessThan(20_000);
    }

    @ParameterizedTest(name = "noise: {0}")
    @ValueSource(booleans = {false, true})
    void halfComputingHalfWaitingIsMixedAndGetsMoreThreadsThanCores(boolean noise)
            throws Exception {
        Fn<Integer, Long> task = AdvisorTest::mixed;
        Advice a = withNoise(noise, () -> Advisor.measure(task, Collections.nCopies(6, 4)));
        assertThat(a.kind()).as(a.toString()).isEqualTo(Advice.Kind.MIXED);
        assertThat(a.backend()).isEqualTo(Advice.Backend.PLATFORM_THREADS);
        // at least cores × (1 + wait/compute), about 2 × cores here; the binomial rule adds up to
        // as
        // many again so that the cores stay busy while independent tasks' waits line up
        assertThat(a.poolSize())
                .isGreaterThan(Sizing.cores())
                .isLessThanOrEqualTo(8 * Sizing.cores());
        assertThat(a.reasons())
                .anySatisfy(
                        r ->
                                assertThat(r)
                                        .contains("cores × (1 + wait/compute")
                                        .contains("want a core"));
    }

    @Test
    void declaredNeedsGoToProcessesWhateverTheMeasurement() {
        Fn<Integer, Long> task = AdvisorTest::tiny;
        Advice a = Advisor.measure(task, List.of(1, 2, 3), Advisor.Need.MAY_CRASH);
        assertThat(a.kind()).isEqualTo(Advice.Kind.NEEDS_ISOLATION);
        assertThat(a.backend()).isEqualTo(Advice.Backend.PROCESSES);
        assertThat(a.reasons()).anySatisfy(r -> assertThat(r).contains("MAY_CRASH"));
    }

    @Test
    void badSamplesAreRefusedWithTheSampleNamed() {
        Fn<Integer, Integer> task = x -> 10 / x;
        assertThatThrownBy(() -> Advisor.measure(task, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one sample");
        assertThatThrownBy(() -> Advisor.measure(task, List.of(5, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sample 1 (0)")
                .hasMessageContaining("ArithmeticException");
    }
}
