/**
 * {@code forkwise lab}: the seeds' experiments, run in Java on this machine, with what the seed
 * claims beside what was measured.
 */
package dev.forkwise.cli.lab;
