/**
 * forkwise: threads, virtual threads and worker JVMs behind one {@link dev.forkwise.Pool} API.
 *
 * <p>Only {@code dev.forkwise} is exported; the backends and the engine behind them are internal.
 */
module dev.forkwise {
    exports dev.forkwise;
}
