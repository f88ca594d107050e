package dev.forkwise;

/** The conformance suite on {@link Pool#threads(int)}. */
class ThreadsConformanceTest extends PoolConformanceTest {
    @Override
    protected Pool create(int parallelism) {
        return Pool.threads(parallelism);
    }
}
