package dev.forkwise.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forkwise.cli.lab.Verdict.Outcome;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * Every verdict is computed from the numbers of the rows it sits beside: each test feeds a row's
 * figures and checks both the outcome and that the sentence quotes those figures.
 */
class VerdictsTest {

    @Test
    void sleepingSquares() {
        Verdict fast = SleepingSquares.verdict(4.0, 1.01, 1.0);
        assertThat(fast.outcome()).isEqualTo(Outcome.NOT_EVEN_IN_PYTHON);
        assertThat(fast.sentence()).contains("1.01 s", "4.00 s", "3.96×", "releases the GIL");
        Verdict slow = SleepingSquares.verdict(4.0, 3.9, 1.0);
        assertThat(slow.outcome()).isEqualTo(Outcome.HOLDS);
        assertThat(slow.sentence()).contains("3.90 s", "took turns");
        // a pool's start-up on top of one short sleep is still one sleep's worth
        assertThat(SleepingSquares.verdict(0.2, 0.071, 0.05).outcome())
                .isEqualTo(Outcome.NOT_EVEN_IN_PYTHON);
    }

    @Test
    void sumOfSquares() {
        Verdict scaled = SumOfSquares.verdict(1.8, 1.43, 2, 4);
        assertThat(scaled.outcome()).isEqualTo(Outcome.DIFFERS);
        assertThat(scaled.sentence()).contains("1.80×", "1.43×", "at most 2×", "no GIL");
        assertThat(SumOfSquares.verdict(1.1, 1.43, 2, 4).outcome()).isEqualTo(Outcome.HOLDS);
        Verdict oneCore = SumOfSquares.verdict(1.0, 1.0, 1, 4);
        assertThat(oneCore.outcome()).isEqualTo(Outcome.HOLDS);
        assertThat(oneCore.sentence()).contains("1 core)", "one core");
        // the threshold grows with the cores: 2.0× on 8 cores is not scaling
        assertThat(SumOfSquares.verdict(2.0, 2.0, 8, 8).outcome()).isEqualTo(Outcome.HOLDS);
        assertThat(SumOfSquares.verdict(6.5, 6.0, 8, 8).outcome()).isEqualTo(Outcome.DIFFERS);
    }

    @Test
    void globalLock() {
        Verdict both = GlobalLock.verdict(0.92, 1.9, 2);
        assertThat(both.outcome()).isEqualTo(Outcome.HOLDS);
        assertThat(both.sentence()).contains("0.92×", "1.90×", "own lock");
        Verdict slowJvms = GlobalLock.verdict(0.92, 1.06, 2);
        assertThat(slowJvms.outcome()).isEqualTo(Outcome.HOLDS);
        assertThat(slowJvms.sentence()).contains("1.06×", "did not gain");
        assertThat(GlobalLock.verdict(1.8, 1.9, 2).outcome()).isEqualTo(Outcome.DIFFERS);
    }

    @Test
    void tinyTasks() {
        Verdict v = TinyTasks.verdict(0.001, 0.4, 0.02);
        assertThat(v.outcome()).isEqualTo(Outcome.HOLDS);
        assertThat(v.sentence()).contains("400.00×", "20.00×");
        assertThat(TinyTasks.verdict(0.5, 0.4, 0.3).outcome()).isEqualTo(Outcome.DIFFERS);
    }

    @Test
    void poolSizeForComputing() {
        List<Integer> sizes = List.of(1, 2, 4, 8);
        Verdict plateau = PoolSizes.computingVerdict(sizes, List.of(1.0, 1.95, 1.97, 1.96), 2);
        assertThat(plateau.outcome()).isEqualTo(Outcome.HOLDS);
        assertThat(plateau.sentence()).contains("1.95× with 2", "at best 1.97×", "up to 8");
        Verdict rising = PoolSizes.computingVerdict(sizes, List.of(1.0, 1.2, 1.9, 1.9), 2);
        assertThat(rising.outcome()).isEqualTo(Outcome.DIFFERS);
    }

    @Test
    void poolSizeForWaiting() {
        List<Integer> sizes = List.of(1, 2, 4, 64);
        Verdict v = PoolSizes.waitingVerdict(sizes, List.of(0.64, 0.32, 0.16, 0.011), 2);
        assertThat(v.outcome()).isEqualTo(Outcome.HOLDS);
        assertThat(v.sentence()).contains("64 threads took 11.0 ms", "2 (one per core) 320.0 ms");
        assertThat(PoolSizes.waitingVerdict(sizes, List.of(0.3, 0.3, 0.3, 0.3), 2).outcome())
                .isEqualTo(Outcome.DIFFERS);
    }

    @Test
    void sharedCounter() {
        Verdict lost = SharedCounter.verdict(58_000, 0, 100_000);
        assertThat(lost.outcome()).isEqualTo(Outcome.HOLDS);
        assertThat(lost.sentence()).contains("58,000 of 100,000", "(58%)");
        assertThat(SharedCounter.verdict(0, 0, 100_000).sentence()).contains("happened");
        Verdict broken = SharedCounter.verdict(10, 3, 100_000);
        assertThat(broken.outcome()).isEqualTo(Outcome.DIFFERS);
        assertThat(broken.sentence()).startsWith("3 increments");
    }

    @Test
    void queuesAndPipes() {
        assertThat(QueuesAndPipes.verdict(List.of("4 of 4", "2,000 trips", "exact")).outcome())
                .isEqualTo(Outcome.HOLDS);
        Verdict shortQueue = QueuesAndPipes.verdict(List.of("4 of 4", "19,999 of 20,000"));
        assertThat(shortQueue.outcome()).isEqualTo(Outcome.DIFFERS);
        assertThat(shortQueue.sentence()).contains("19,999 of 20,000");
        assertThat(QueuesAndPipes.verdict(List.of("WRONG: 7")).outcome())
                .isEqualTo(Outcome.DIFFERS);
    }

    @Test
    void autoVersusFixed() {
        Verdict v =
                AutoVersusFixed.verdict(
                        "Pool.threads(2)", "Pool.virtualThreads()", "Pool.processes(2)");
        assertThat(v.outcome()).isEqualTo(Outcome.DIFFERS);
        assertThat(v.sentence())
                .contains("computing ran fastest on Pool.threads(2)", "Pool.processes(2)")
                .contains("only behind a lock");
        assertThat(
                        AutoVersusFixed.verdict(
                                        "Pool.threads(2)",
                                        "Pool.virtualThreads()",
                                        "Pool.threads(2)")
                                .sentence())
                .contains("too short for worker JVMs");
        assertThat(AutoVersusFixed.verdict("Pool.processes(2)", "Pool.threads(2)", "x").outcome())
                .isEqualTo(Outcome.HOLDS);
    }

    @Test
    void crashIsolation() {
        Verdict v = CrashIsolation.verdict(0, 19, 1, 20, true);
        assertThat(v.outcome()).isEqualTo(Outcome.HOLDS);
        assertThat(v.sentence())
                .contains("threads kept 0 of 20", "worker JVMs 19", "BrokenProcessPool");
        assertThat(CrashIsolation.verdict(0, 19, 1, 20, false).outcome())
                .isEqualTo(Outcome.DIFFERS);
        assertThat(CrashIsolation.verdict(0, 12, 8, 20, true).outcome()).isEqualTo(Outcome.DIFFERS);
    }

    @Test
    void memoryPerWorker() {
        Verdict v = MemoryPerWorker.verdict(45L << 20, 37L << 10);
        assertThat(v.outcome()).isEqualTo(Outcome.HOLDS);
        assertThat(v.sentence()).contains("45.0 MiB", "37.0 KiB", "1,245 threads");
        assertThat(MemoryPerWorker.verdict(1L << 20, 100L << 10).outcome())
                .isEqualTo(Outcome.DIFFERS);
    }

    @Test
    void largeData() {
        Verdict v = LargeData.verdict(0.0001, 0.120, 0.004);
        assertThat(v.outcome()).isEqualTo(Outcome.HOLDS);
        assertThat(v.sentence()).contains("120.0 ms", "4.0 ms", "30.00× faster");
        assertThat(LargeData.verdict(0.0001, 0.005, 0.004).outcome()).isEqualTo(Outcome.DIFFERS);
    }

    @Test
    void manySleepers() {
        Verdict v =
                ManySleepers.verdict(100_000, Duration.ofMillis(436), Duration.ofMillis(100), 1000);
        assertThat(v.outcome()).isEqualTo(Outcome.DIFFERS);
        assertThat(v.sentence())
                .contains("100,000 waiting tasks took 436.0 ms", "4.4 times", "1,000-thread");
        assertThat(
                        ManySleepers.verdict(
                                        100_000,
                                        Duration.ofSeconds(20),
                                        Duration.ofMillis(100),
                                        1000)
                                .outcome())
                .isEqualTo(Outcome.HOLDS);
    }

    @Test
    void cluster() {
        Verdict close = ClusterSum.verdict(1.5, 1.4, 0.0003, 0.00005);
        assertThat(close.outcome()).isEqualTo(Outcome.DIFFERS);
        assertThat(close.sentence())
                .contains("1.40×", "1.50×", "300.0 µs", "50.0 µs", "without a rewrite");
        assertThat(ClusterSum.verdict(1.5, 0.6, 0.0003, 0.00005).sentence())
                .contains("feel the hop");
    }

    /** Seeded random figures: each verdict's sentence quotes the figures it was computed from. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void theSentenceAlwaysQuotesItsOwnFigures(long seed) {
        Random rnd = new Random(seed);
        double threads = 0.5 + 3 * rnd.nextDouble();
        double processes = 0.5 + 3 * rnd.nextDouble();
        int cores = 1 + rnd.nextInt(16);
        assertThat(SumOfSquares.verdict(threads, processes, cores, 4).sentence())
                .contains(Measure.ratio(threads), Measure.ratio(processes));
        assertThat(GlobalLock.verdict(threads, processes, cores).sentence())
                .contains(Measure.ratio(threads), Measure.ratio(processes));
        long lost = rnd.nextInt(100_000);
        assertThat(SharedCounter.verdict(lost, 0, 100_000).sentence())
                .contains(lost == 0 ? "exact" : Measure.count(lost));
    }
}
