package dev.forkwise.engine;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Where a pool's tasks run: platform threads, virtual threads, worker JVMs, a cluster. A backend
 * only runs {@link TaskFuture}s and reports its lifecycle; {@link PoolEngine} does everything else
 * (map, imap, chunking, errors, names), so every backend behaves the same to the user.
 *
 * <p>Lifecycle: {@code NEW --start--> RUNNING --shutdown/shutdownNow--> SHUTDOWN --last task
 * done--> TERMINATED}. {@link #start} is called once, by the engine, before anything else.
 *
 * <p>What a task's future must complete with: the value {@link TaskFuture#task()} returns, or what
 * it throws. For the engine's {@code map} chunks ({@link dev.forkwise.codec.Portable#packsResults})
 * that value is an {@code Object[]} of outputs, or the same outputs as {@link
 * dev.forkwise.codec.Packed} numbers, which the engine unpacks as it reads them; never anything
 * else. A backend that loses a task (its worker died) fails it with {@link
 * dev.forkwise.WorkerCrashedException}; one that gives up waiting, with {@link
 * dev.forkwise.TaskTimeoutException}. How to add one: the package description.
 */
public interface Backend {

    /**
     * Returns what this backend is, as its factory call reads.
     *
     * @return for example {@code "threads(4)"}
     */
    String kind();

    /**
     * Returns the most tasks this backend runs at once.
     *
     * @return the bound, or {@link Integer#MAX_VALUE} for none
     */
    int parallelism();

    /**
     * Starts the backend.
     *
     * @param poolName the pool's unique name, for thread and process names
     */
    void start(String poolName);

    /**
     * Runs a task, now or when a worker is free, and completes its future.
     *
     * @param task the task
     * @throws RejectedExecutionException if the backend is shut down
     */
    void execute(TaskFuture<?> task);

    /** Stops taking tasks; submitted ones still run. */
    void shutdown();

    /**
     * Stops taking tasks, interrupts running ones and returns those that never started.
     *
     * @return the tasks that never started, in submission order where the backend knows it
     */
    List<TaskFuture<?>> shutdownNow();

    /**
     * Returns how many worker JVMs are alive (starting or ready) now, for {@code Pool.stats()}.
     *
     * @return 0 for a backend without worker JVMs
     */
    default int workersAlive() {
        return 0;
    }

    /**
     * Returns how many worker JVMs were started to replace others (crashed, killed, recycled).
     *
     * @return 0 for a backend without worker JVMs
     */
    default long workersRestarted() {
        return 0;
    }

    /**
     * Returns whether the backend was shut down.
     *
     * @return true after {@link #shutdown()} or {@link #shutdownNow()}
     */
    boolean isShutdown();

    /**
     * Returns whether the backend was shut down and every task has finished.
     *
     * @return true once terminated
     */
    boolean isTerminated();

    /**
     * Waits until terminated or the timeout passes.
     *
     * @param timeout the longest wait
     * @param unit the timeout's unit
     * @return true if terminated, false if the timeout passed first
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * How many tasks run at once in practice, for sizing {@code map}'s automatic chunks: {@link
     * #parallelism()} unless the backend runs fewer than its bound at a time (an automatic pool
     * bounded at 1,024 that runs computing work on one thread per core).
     *
     * @return the number to size chunks by
     */
    default int chunkingParallelism() {
        return parallelism();
    }
}
