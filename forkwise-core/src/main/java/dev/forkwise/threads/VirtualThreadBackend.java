package dev.forkwise.threads;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * A new virtual thread for every task; with a bound, at most {@code maxConcurrent} run at once and
 * the rest wait in submission order.
 */
public final class VirtualThreadBackend extends ExecutorBackend {

    /** The bound that means "no bound". */
    public static final int UNBOUNDED = Integer.MAX_VALUE;

    private final int maxConcurrent;

    /**
     * Creates the backend.
     *
     * @param maxConcurrent the most tasks running at once, at least 1, or {@link #UNBOUNDED}
     * @throws IllegalArgumentException if {@code maxConcurrent < 1}
     */
    public VirtualThreadBackend(int maxConcurrent) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException(
                    "maxConcurrent must be at least 1, was " + maxConcurrent);
        }
        this.maxConcurrent = maxConcurrent;
    }

    @Override
    public String kind() {
        return maxConcurrent == UNBOUNDED
                ? "virtualThreads()"
                : "virtualThreads(" + maxConcurrent + ")";
    }

    @Override
    public int parallelism() {
        return maxConcurrent;
    }

    /**
     * Virtual threads are unnamed, as the JDK's own {@code newVirtualThreadPerTaskExecutor()} makes
     * them: a name is a string built per task (it took a tenth of the CPU time of a {@code map} of
     * 100,000 tiny tasks), and a thread dump groups virtual threads by the executor that started
     * them anyway. A task's JFR event names its thread by id.
     */
    @Override
    ExecutorService newExecutor(String threadNamePrefix) {
        ThreadFactory factory = Thread.ofVirtual().factory();
        return maxConcurrent == UNBOUNDED
                ? Executors.newThreadPerTaskExecutor(factory)
                : new BoundedThreadPerTaskExecutor(maxConcurrent, factory);
    }
}
