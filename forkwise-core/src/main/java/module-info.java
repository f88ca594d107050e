/**
 * forkwise: threads, virtual threads and worker JVMs behind one {@link dev.forkwise.Pool} API.
 *
 * <p>{@code dev.forkwise} (pools, tasks) and {@code dev.forkwise.ipc} (shared memory, queues, pipes,
 * locks across worker JVMs) are exported; the backends and the engine behind them are internal.
 */
module dev.forkwise {
    requires java.management;
    requires jdk.management;
    requires jdk.jfr;

    exports dev.forkwise;
    exports dev.forkwise.ipc;
}
