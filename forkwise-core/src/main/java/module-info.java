/**
 * forkwise: threads, virtual threads and worker JVMs behind one {@link dev.forkwise.Pool} API.
 *
 * <p>Only {@code dev.forkwise} is exported; the backends and the engine behind them are internal.
 */
module dev.forkwise {
    requires java.management;
    requires jdk.jfr;

    exports dev.forkwise;
}
