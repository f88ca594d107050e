package dev.forkwise;

import org.junit.jupiter.api.AfterAll;

import java.time.Duration;

/**
 * The conformance suite on process pools that keep their workers warm: after the first few tests,
 * each test's pools run on workers that earlier tests' pools left in the reserve, cancelled and
 * interrupted tasks included.
 */
class KeptWarmProcessesConformanceTest extends PoolConformanceTest {
    @Override
    protected Pool create(int parallelism) {
        return Pool.processes(
                ProcessOptions.builder()
                        .workers(parallelism)
                        .keepWarm(Duration.ofSeconds(30))
                        .build());
    }

    @AfterAll
    static void killKeptWorkers() {
        Workers.killAll();
    }
}
