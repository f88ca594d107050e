package dev.forkwise.cli.bench;

/** One side of a comparison: something that measures a workload once. */
@FunctionalInterface
interface Side {
    /**
     * Runs the workload once.
     *
     * @return what was measured
     * @throws Exception if the workload could not run
     */
    Sample measure() throws Exception;
}
