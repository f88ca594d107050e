package dev.forkwise.cluster;

import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A task that does nothing, which Hazelcast's own deserialization on members admits: the baseline
 * that a cluster pool's overhead is measured against ({@code forkwise bench}), Hazelcast's {@code
 * IExecutorService} running it with no forkwise in between.
 */
public final class Noop implements Callable<Integer>, Serializable {

    @Serial private static final long serialVersionUID = 1L;

    /** The task. */
    public Noop() {}

    @Override
    public Integer call() {
        return 0;
    }
}
