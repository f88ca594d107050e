package dev.forkwise.advisor;

import dev.forkwise.AutoPool;
import dev.forkwise.engine.Backend;
import dev.forkwise.engine.PoolEngine;

import java.util.List;
import java.util.function.IntFunction;

/** {@link dev.forkwise.Pool#auto()}: the engine over an {@link AutoBackend}, with its decisions. */
public final class AutoPoolEngine extends PoolEngine implements AutoPool {

    private final AutoBackend backend;

    /**
     * Creates the pool.
     *
     * @param bound the most tasks at once
     * @param workerJvms makes a backend of that many worker JVMs, for work that computes behind one
     *     lock
     */
    public AutoPoolEngine(int bound, IntFunction<Backend> workerJvms) {
        this(new AutoBackend(bound, workerJvms));
    }

    private AutoPoolEngine(AutoBackend backend) {
        super(backend);
        this.backend = backend;
    }

    @Override
    public List<Decision> decisions() {
        return backend.decisions();
    }
}
