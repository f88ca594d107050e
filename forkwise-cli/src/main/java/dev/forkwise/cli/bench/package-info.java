/**
 * {@code forkwise bench}: the same workloads in forkwise and in Python's standard library, run
 * interleaved on one machine, with medians and their ratio.
 */
package dev.forkwise.cli.bench;
