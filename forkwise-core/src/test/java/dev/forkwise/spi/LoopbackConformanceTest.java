package dev.forkwise.spi;

import dev.forkwise.Pool;
import dev.forkwise.PoolConformanceTest;
import dev.forkwise.engine.PoolEngine;

/** The conformance suite on a backend built through the SPI alone ({@link LoopbackBackend}). */
class LoopbackConformanceTest extends PoolConformanceTest {
    @Override
    protected Pool create(int parallelism) {
        return new PoolEngine(new LoopbackBackend(parallelism));
    }
}
