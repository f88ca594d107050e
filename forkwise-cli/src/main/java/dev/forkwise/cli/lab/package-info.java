/**
 * {@code forkwise lab}: the guides' experiments, run in Java on this machine, with what the guide
 * claims beside what was measured.
 */
package dev.forkwise.cli.lab;
