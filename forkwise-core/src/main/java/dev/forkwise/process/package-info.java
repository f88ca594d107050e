/**
 * The worker-JVM backend behind {@link dev.forkwise.Pool#processes(dev.forkwise.ProcessOptions)}
 * and {@link dev.forkwise.ChildProcess}: launching workers ({@code Launch}, {@code ClassPaths},
 * {@code Aot}), their channel ({@code Channel}, {@code Wire}, and {@code ShmLink} once a worker has
 * answered enough tasks), supervision ({@code ProcessBackend}: crashes, time limits, memory caps,
 * recycling, start failures and their back-off; {@code Worker} is one worker's state machine), the
 * worker's own side ({@code WorkerMain}), and what an operator sees ({@code Events} for JFR, {@code
 * Log} for {@link java.lang.System.Logger}).
 *
 * <p>Blocking native I/O (pipes, sockets, {@code Process.waitFor}) runs on platform daemon threads
 * ({@code Daemons}), never on virtual threads. Internal: not exported.
 */
package dev.forkwise.process;
