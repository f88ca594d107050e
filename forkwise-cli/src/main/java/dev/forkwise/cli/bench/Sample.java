package dev.forkwise.cli.bench;

import java.util.Map;

/**
 * One measurement of one side of a workload.
 *
 * @param impl what ran it, for example {@code "Pool.threads(2)"} or {@code "asyncio.gather"}
 * @param metrics the measured values by metric name ({@code "value"}, {@code "p50"}, {@code "p99"})
 */
record Sample(String impl, Map<String, Double> metrics) {

    static Sample of(String impl, double value) {
        return new Sample(impl, Map.of("value", value));
    }

    double get(String metric) {
        Double v = metrics.get(metric);
        if (v == null) {
            throw new IllegalStateException(impl + " did not report " + metric + ": " + metrics);
        }
        return v;
    }
}
