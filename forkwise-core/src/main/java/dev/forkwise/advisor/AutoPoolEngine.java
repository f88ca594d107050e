package dev.forkwise.advisor;

import dev.forkwise.AutoPool;
import dev.forkwise.engine.PoolEngine;
import java.util.List;

/** {@link dev.forkwise.Pool#auto()}: the engine over an {@link AutoBackend}, with its decisions. */
public final class AutoPoolEngine extends PoolEngine implements AutoPool {

    private final AutoBackend backend;

    /** @param bound the most tasks at once */
    public AutoPoolEngine(int bound) {
        this(new AutoBackend(bound));
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
