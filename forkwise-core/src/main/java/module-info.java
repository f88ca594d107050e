/**
 * forkwise: threads, virtual threads and worker JVMs behind one {@link dev.forkwise.Pool} API.
 *
 * <p>{@code dev.forkwise} (pools, tasks) and {@code dev.forkwise.ipc} (shared memory, queues,
 * pipes, locks across worker JVMs) are exported to everyone. The backend SPI ({@code
 * dev.forkwise.engine}: a {@code Backend} runs tasks, the engine does the rest) and the codec
 * ({@code dev.forkwise.codec}: how tasks and values cross a process boundary, behind one class
 * filter) are exported only to forkwise's own backend modules; the backends in this module ({@code
 * dev.forkwise.threads}, {@code dev.forkwise.process}, {@code dev.forkwise.advisor}) are internal.
 */
@SuppressWarnings("module") // the cluster module is built after this one
module dev.forkwise {
    requires java.management;
    requires jdk.management;
    requires jdk.jfr;

    exports dev.forkwise;
    exports dev.forkwise.ipc;
    exports dev.forkwise.engine to
            dev.forkwise.cluster;
    exports dev.forkwise.codec to
            dev.forkwise.cluster;
}
