package dev.forkwise;

/** The conformance suite on {@link Pool#virtualThreads(int)}. */
class BoundedVirtualThreadsConformanceTest extends PoolConformanceTest {
    @Override
    protected Pool create(int parallelism) {
        return Pool.virtualThreads(parallelism);
    }
}
