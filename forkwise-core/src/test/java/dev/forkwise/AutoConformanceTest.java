package dev.forkwise;

import org.junit.jupiter.api.AfterEach;

/** The conformance suite on {@link Pool#auto(int)}: whatever it decides, a pool is a pool. */
class AutoConformanceTest extends PoolConformanceTest {
    @Override
    protected Pool create(int parallelism) {
        return Pool.auto(parallelism);
    }

    @AfterEach
    void killWorkers() {
        Workers.killAll();
    }
}
