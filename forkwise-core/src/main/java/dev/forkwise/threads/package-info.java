/**
 * The thread backends: a fixed set of platform threads for computing, and a virtual thread per
 * task, bounded or not, for waiting. Internal: not exported.
 */
package dev.forkwise.threads;
