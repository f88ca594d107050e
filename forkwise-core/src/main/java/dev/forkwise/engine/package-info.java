/**
 * The backend-independent pool engine, and the door for backends: {@link
 * dev.forkwise.engine.PoolEngine} implements the whole {@link dev.forkwise.Pool} API (lifecycle,
 * map and imap scheduling, chunking, failure reporting, names, statistics, JFR events) over a
 * {@link dev.forkwise.engine.Backend} that only runs tasks. It holds no wire format: a backend that
 * sends tasks to another JVM encodes them with {@code dev.forkwise.codec}.
 *
 * <p>Exported only to forkwise's own backend modules ({@code dev.forkwise.cluster}); within this
 * module the backends are {@code dev.forkwise.threads}, {@code dev.forkwise.process} and {@code
 * dev.forkwise.advisor}.
 *
 * <h2>Adding a backend</h2>
 *
 * <ol>
 *   <li>Implement {@link dev.forkwise.engine.Backend}: {@code execute} runs a {@link
 *       dev.forkwise.engine.TaskFuture} or hands it on and returns at once; keep the lifecycle with
 *       a {@link dev.forkwise.engine.Lifecycle} ({@code RUNNING → SHUTDOWN → TERMINATED}) under one
 *       lock; report {@code workersAlive}/{@code workersRestarted} if the backend has processes.
 *   <li>In this JVM, call {@link dev.forkwise.engine.TaskFuture#run()}. Elsewhere, send {@link
 *       dev.forkwise.engine.TaskFuture#task()} encoded with {@code dev.forkwise.codec.Transfer} (it
 *       names the culprit of a value that cannot travel), say {@link
 *       dev.forkwise.engine.TaskFuture#started(String)} when it starts there, and end it with
 *       {@link dev.forkwise.engine.TaskFuture#completeRemotely} or {@link
 *       dev.forkwise.engine.TaskFuture#failRemotely} (a lost worker: {@link
 *       dev.forkwise.engine.TaskFuture#failInstead} with a {@link
 *       dev.forkwise.WorkerCrashedException} naming it).
 *   <li>Decode on the far side with a {@code dev.forkwise.codec.Codec} built with {@link
 *       dev.forkwise.engine.Tasks#FACTORY}, so the engine's map chunks arrive as tasks, and through
 *       its class filter, so a foreign class is refused before its code runs. A {@code map} chunk's
 *       result is an {@code Object[]} of outputs, or {@code dev.forkwise.codec.Packed} numbers when
 *       the reply was decoded with {@code Codec.decodeResults} (only where {@code
 *       Portable.packsResults(task)} says so).
 *   <li>Make pools with {@code new PoolEngine(backend)}, and run the conformance suite on them:
 *       extend {@code dev.forkwise.PoolConformanceTest} from forkwise-core's test jar and return
 *       such a pool from {@code create(int)}.
 * </ol>
 */
package dev.forkwise.engine;
