/**
 * How tasks, arguments, results and exceptions cross a process boundary: the {@link
 * dev.forkwise.codec.Codec} (a tagged value tree with fast paths for numbers, strings, arrays,
 * capture-free lambdas and the engine's task shapes, Java serialization for the rest), the {@link
 * dev.forkwise.codec.ClassFilter} that decides which classes serialization may create, the {@link
 * dev.forkwise.codec.Transfer} check that names the path to a value that cannot travel, and {@link
 * dev.forkwise.codec.Packed} numbers.
 *
 * <p>It imports no backend and no transport: the process backend frames its {@link
 * dev.forkwise.codec.Message}s on sockets and shared memory, the IPC primitives put them in rings
 * ({@link dev.forkwise.codec.Messages}), and a cluster backend sends them through its engine.
 * Exported only to forkwise's own backend modules.
 */
package dev.forkwise.codec;
