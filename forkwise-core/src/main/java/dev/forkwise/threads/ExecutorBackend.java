package dev.forkwise.threads;

import dev.forkwise.engine.Backend;
import dev.forkwise.engine.TaskFuture;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A backend that runs tasks on threads of this JVM through a {@link ExecutorService}, which owns
 * the lifecycle state.
 */
abstract class ExecutorBackend implements Backend {

    private ExecutorService executor;

    /**
     * Creates the executor for a pool.
     *
     * @param threadNamePrefix the prefix of its threads' names
     * @return a new executor
     */
    abstract ExecutorService newExecutor(String threadNamePrefix);

    @Override
    public final void start(String poolName) {
        if (executor != null) {
            throw new IllegalStateException(kind() + " was already started");
        }
        executor = newExecutor("forkwise-" + poolName + "-");
    }

    @Override
    public final void execute(TaskFuture<?> task) {
        executor.execute(task);
    }

    @Override
    public final void shutdown() {
        executor.shutdown();
    }

    @Override
    public final List<TaskFuture<?>> shutdownNow() {
        List<TaskFuture<?>> never = new ArrayList<>();
        for (Runnable r : executor.shutdownNow()) {
            never.add((TaskFuture<?>) r);
        }
        return never;
    }

    @Override
    public final boolean isShutdown() {
        return executor.isShutdown();
    }

    @Override
    public final boolean isTerminated() {
        return executor.isTerminated();
    }

    @Override
    public final boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return executor.awaitTermination(timeout, unit);
    }
}
