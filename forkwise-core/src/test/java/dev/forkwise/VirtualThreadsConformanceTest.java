package dev.forkwise;

/** The conformance suite on {@link Pool#virtualThreads()}, which has no bound. */
class VirtualThreadsConformanceTest extends PoolConformanceTest {
    @Override
    protected Pool create(int parallelism) {
        return Pool.virtualThreads();
    }
}
