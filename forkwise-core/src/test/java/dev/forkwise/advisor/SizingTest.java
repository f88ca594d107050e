package dev.forkwise.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

/** The mixed-work thread count: the binomial rule, its floor (the textbook formula) and its cap. */
class SizingTest {

    @Test
    void halfComputingOnTwoCoresGetsEightThreads() {
        // 4 threads (the textbook count) leave a core idle 5/16 of the time; 8 leave one 9/256
        assertThat(Sizing.fewerThan(2, 4, 0.5)).isCloseTo(5 / 16.0, Offset.offset(1e-12));
        assertThat(Sizing.fewerThan(2, 7, 0.5)).isCloseTo(8 / 128.0, Offset.offset(1e-12));
        assertThat(Sizing.fewerThan(2, 8, 0.5)).isCloseTo(9 / 256.0, Offset.offset(1e-12));
        assertThat(Sizing.mixedThreads(2, 0.5, 1000)).isEqualTo(8);
    }

    @Test
    void pureComputingGetsOneThreadPerCoreAndTheCapHolds() {
        assertThat(Sizing.mixedThreads(4, 1.0, 1000)).isEqualTo(4);
        assertThat(Sizing.mixedThreads(2, 0.01, 50)).isEqualTo(50);
        assertThat(Sizing.mixedThreads(1, 0.5, 1000)).isGreaterThanOrEqualTo(2);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void neverBelowTheTextbookCountAndAlwaysBusyEnough(long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < 200; i++) {
            int cores = 1 + r.nextInt(64);
            double p = 0.02 + 0.98 * r.nextDouble();
            int cap = 100_000;
            int n = Sizing.mixedThreads(cores, p, cap);
            assertThat(n)
                    .as("cores %d, cpu share %.3f", cores, p)
                    .isGreaterThanOrEqualTo((int) Math.ceil(cores / p - 1e-9));
            assertThat(Sizing.fewerThan(cores, n, p)).isLessThanOrEqualTo(Sizing.IDLE_CHANCE);
            if (n > Math.ceil(cores / p - 1e-9)) {
                assertThat(Sizing.fewerThan(cores, n - 1, p))
                        .as("the smallest such count")
                        .isGreaterThan(Sizing.IDLE_CHANCE);
            }
            // more computing never needs more threads
            assertThat(Sizing.mixedThreads(cores, Math.min(1, p + 0.05), cap))
                    .isLessThanOrEqualTo(n);
        }
    }
}
