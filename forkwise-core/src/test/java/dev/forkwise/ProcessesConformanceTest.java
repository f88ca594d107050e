package dev.forkwise;

/** The conformance suite on {@link Pool#processes(int)}: real worker JVMs. */
class ProcessesConformanceTest extends PoolConformanceTest {
    @Override
    protected Pool create(int parallelism) {
        return Pool.processes(parallelism);
    }
}
