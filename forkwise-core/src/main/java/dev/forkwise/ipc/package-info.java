/**
 * Shared memory, queues, pipes, locks and a shared map across worker JVMs (Python's {@code
 * multiprocessing} primitives), which a process that dies while holding them cannot leave stuck.
 *
 * <p>Every primitive is created by a static factory in one process, which owns it, and used from
 * any process by passing its handle into a task: the handle is serializable and arrives as a handle
 * on the same shared state. Each is {@link java.lang.AutoCloseable}: the owner's {@code close()}
 * releases it. All but {@link dev.forkwise.ipc.SharedMap} and {@link dev.forkwise.ipc.ManagedList}
 * (served by their owner over a private socket) live in memory-mapped files in {@link
 * dev.forkwise.ipc.SharedMemory#folder()}, read and written with the FFM API's atomic access. A
 * shared byte array may also be given a name and attached by it ({@link
 * dev.forkwise.ipc.SharedArray#attachBytes(String)}).
 *
 * <h2>Memory consistency properties</h2>
 *
 * <p>The primitives extend the Java memory model's guarantees across processes on one machine:
 * every shared word is read and written with volatile or atomic access on the same physical memory,
 * so the release store that publishes a value (unlocking, setting, putting, sending) and the
 * acquire that observes it (locking, reading, taking, receiving) order the memory around them as
 * they do between threads. Each class names its own happens-before edges.
 *
 * <h2>A process that dies</h2>
 *
 * <ul>
 *   <li>{@link dev.forkwise.ipc.SharedLock}, {@link dev.forkwise.ipc.SharedReentrantLock}: the next
 *       waiter takes it over and is told ({@link dev.forkwise.ipc.SharedLock#ownerDied()}).
 *   <li>{@link dev.forkwise.ipc.SharedCondition}: a dead waiter's signal goes to a live one; a dead
 *       signaller wakes nobody, and waits take timeouts.
 *   <li>{@link dev.forkwise.ipc.SharedSemaphore}: the dead process's permits come back.
 *   <li>{@link dev.forkwise.ipc.SharedQueue} and {@link dev.forkwise.ipc.Pipe}: at most the one
 *       element the dead process was putting or taking is lost; a pipe's other end is told; a
 *       queue's {@code join()} counts a dead consumer's unfinished elements as lost.
 *   <li>{@link dev.forkwise.ipc.SharedList}: a position its writer left half-written is taken over
 *       (its value becomes null).
 *   <li>{@link dev.forkwise.ipc.SharedEvent}, {@link dev.forkwise.ipc.SharedBarrier}: nothing is
 *       held; waits take timeouts.
 *   <li>The owner: its files are deleted by the next forkwise JVM that uses shared memory.
 * </ul>
 */
package dev.forkwise.ipc;
