package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * 100,000 tasks that each sleep 100 ms all complete on virtual threads. How long they take is
 * measured by {@code forkwise lab}, not asserted here.
 */
class ManySleepersTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void hundredThousandSleepingTasksCompleteOnVirtualThreads() {
        try (Pool pool = Pool.virtualThreads()) {
            List<Integer> results =
                    pool.map(
                            (Integer ms) -> {
                                Thread.sleep(ms);
                                return 1;
                            },
                            Collections.nCopies(100_000, 100));
            assertThat(results).hasSize(100_000).containsOnly(1);
        }
    }
}
