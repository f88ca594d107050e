/**
 * Measuring tasks and choosing where they run: the probe behind {@link dev.forkwise.Advisor}, the
 * rules that turn its figures into {@link dev.forkwise.Advice}, the container's cgroup limits, and
 * the backend of {@link dev.forkwise.Pool#auto()}. Internal: not exported.
 */
package dev.forkwise.advisor;
