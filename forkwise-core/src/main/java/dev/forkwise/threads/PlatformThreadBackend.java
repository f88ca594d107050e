package dev.forkwise.threads;

import dev.forkwise.Action;
import dev.forkwise.TaskFailedException;
import dev.forkwise.ThreadOptions;
import dev.forkwise.engine.TaskFuture;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A fixed number of daemon platform threads taking tasks from one unbounded FIFO queue: a {@link
 * ThreadPoolExecutor} with core size = maximum size = {@code workers}.
 *
 * <p>With an initializer, each thread runs it once before its first task. If it throws, the pool is
 * broken (as Python's {@code ThreadPoolExecutor} is): every task that has not started fails with a
 * {@link TaskFailedException} whose cause is the initializer's exception, and so does every later
 * one. Memory consistency effects: the initializer's actions happen-before every task its thread
 * runs.
 */
public final class PlatformThreadBackend extends ExecutorBackend {

    private final int workers;
    private final String namePrefix;
    private final Action initializer;
    private volatile TaskFailedException broken;
    private String poolName;

    /**
     * Creates the backend.
     *
     * @param workers the number of threads, at least 1
     * @throws IllegalArgumentException if {@code workers < 1}
     */
    public PlatformThreadBackend(int workers) {
        this(ThreadOptions.builder().threads(checked(workers)).build());
    }

    /**
     * Creates the backend.
     *
     * @param options the number of threads, their names, their initializer
     */
    public PlatformThreadBackend(ThreadOptions options) {
        this.workers = options.threads();
        this.namePrefix = options.namePrefix().map(p -> p + "-").orElse(null);
        this.initializer = options.initializer().orElse(null);
    }

    private static int checked(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException(
                    "workers must be at least 1, was "
                            + workers
                            + " (for computing, one per core: this machine has "
                            + Runtime.getRuntime().availableProcessors()
                            + ")");
        }
        return workers;
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
        poolName = threadNamePrefix.substring("forkwise-".length(), threadNamePrefix.length() - 1);
        ThreadFactory threads =
                Thread.ofPlatform()
                        .name(namePrefix != null ? namePrefix : threadNamePrefix, 1)
                        .daemon(true)
                        .factory();
        ThreadFactory factory =
                initializer == null
                        ? threads
                        : r ->
                                threads.newThread(
                                        () -> {
                                            initialize();
                                            r.run();
                                        });
        return new ThreadPoolExecutor(
                workers, workers, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory) {
            @Override
            protected void beforeExecute(Thread t, Runnable r) {
                TaskFailedException why = broken;
                if (why != null && r instanceof TaskFuture<?> task) {
                    task.failInstead(why);
                }
            }
        };
    }

    private void initialize() {
        try {
            initializer.run();
        } catch (Throwable t) {
            if (broken == null) {
                broken =
                        new TaskFailedException(
                                "the initializer of pool "
                                        + poolName
                                        + " (in thread "
                                        + Thread.currentThread().getName()
                                        + "); the pool is broken, create a new one",
                                t);
            }
        }
    }
}
