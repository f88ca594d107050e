/**
 * The public face of forkwise: {@link dev.forkwise.Pool} and its factories, the task shapes {@link
 * dev.forkwise.Fn}, {@link dev.forkwise.Fn2} and {@link dev.forkwise.Call}, and the exceptions a
 * task can end with.
 *
 * <h2>Memory Consistency Properties</h2>
 *
 * <p>Actions in a thread before it submits a task to a {@link dev.forkwise.Pool} happen-before the
 * task runs; the task's actions happen-before the result is observed through its future, through
 * {@code map}'s return, or through an {@code imap} stream. This is the same contract as {@link
 * java.util.concurrent.ExecutorService}, and it holds on every backend.
 */
package dev.forkwise;
