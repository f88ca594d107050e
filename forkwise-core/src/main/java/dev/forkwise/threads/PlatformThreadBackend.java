package dev.forkwise.threads;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A fixed number of daemon platform threads taking tasks from one unbounded FIFO queue: a {@link
 * ThreadPoolExecutor} with core size = maximum size = {@code workers}.
 */
public final class PlatformThreadBackend extends ExecutorBackend {

    private final int workers;

    /**
     * Creates the backend.
     *
     * @param workers the number of threads, at least 1
     * @throws IllegalArgumentException if {@code workers < 1}
     */
    public PlatformThreadBackend(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException(
                    "workers must be at least 1, was "
                            + workers
                            + " (for computing, one per core: this machine has "
                            + Runtime.getRuntime().availableProcessors()
                            + ")");
        }
        this.workers = workers;
    }

    @Override
    public String kind() {
        return "threads(" + workers + ")";
    }

    @Override
    public int parallelism() {
        return workers;
    }

    @Override
    ExecutorService newExecutor(String threadNamePrefix) {
        return new ThreadPoolExecutor(
                workers,
                workers,
                0L,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                Thread.ofPlatform().name(threadNamePrefix, 1).daemon(true).factory());
    }
}
