package dev.forkwise;

import java.util.Objects;
import java.util.Optional;

/**
 * How to make a pool of platform threads, beyond its size: Python's {@code
 * ThreadPoolExecutor(max_workers, thread_name_prefix=, initializer=)}.
 *
 * <pre>{@code
 * ThreadOptions options = ThreadOptions.builder()
 *         .threads(8)
 *         .namePrefix("fetch")                       // threads fetch-1 ... fetch-8
 *         .initializer(() -> Http.warmUp())          // once in each thread, before its first task
 *         .build();
 * try (Pool pool = Pool.threads(options)) { ... }
 * }</pre>
 */
public final class ThreadOptions {

    private final int threads;
    private final String namePrefix;
    private final Action initializer;

    private ThreadOptions(Builder b) {
        this.threads = b.threads;
        this.namePrefix = b.namePrefix;
        this.initializer = b.initializer;
    }

    /**
     * Returns a builder with one thread per core, forkwise's thread names and no initializer.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the number of threads
     */
    public int threads() {
        return threads;
    }

    /**
     * @return the prefix of the threads' names, or empty for forkwise's ({@code forkwise-<pool>-N})
     */
    public Optional<String> namePrefix() {
        return Optional.ofNullable(namePrefix);
    }

    /**
     * @return what each thread runs once before its first task, if anything
     */
    public Optional<Action> initializer() {
        return Optional.ofNullable(initializer);
    }

    @Override
    public String toString() {
        return "ThreadOptions[threads="
                + threads
                + ", namePrefix="
                + namePrefix
                + ", initializer="
                + (initializer != null)
                + "]";
    }

    /** Builds {@link ThreadOptions}. */
    public static final class Builder {
        private int threads = Runtime.getRuntime().availableProcessors();
        private String namePrefix;
        private Action initializer;

        private Builder() {}

        /**
         * The number of threads (default: one per core, for computing work).
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException(
                        "threads must be at least 1, was "
                                + threads
                                + " (for computing, one per core: this machine has "
                                + Runtime.getRuntime().availableProcessors()
                                + ")");
            }
            this.threads = threads;
            return this;
        }

        /**
         * Names the threads {@code prefix-1}, {@code prefix-2}, ... (Python's {@code
         * thread_name_prefix}), as thread dumps and profilers show them.
         *
         * @param prefix not blank
         * @return this builder
         */
        public Builder namePrefix(String prefix) {
            Objects.requireNonNull(prefix, "namePrefix must not be null");
            if (prefix.isBlank()) {
                throw new IllegalArgumentException("namePrefix must not be blank");
            }
            this.namePrefix = prefix;
            return this;
        }

        /**
         * Runs {@code initializer} once in each thread before its first task (Python's {@code
         * initializer=}), for per-thread state such as a connection in a {@code ThreadLocal}. If it
         * throws, the pool is broken, as Python's: the task that started the thread and every task
         * after it fail with a {@link TaskFailedException} whose cause is the initializer's
         * exception.
         *
         * @param initializer the action
         * @return this builder
         */
        public Builder initializer(Action initializer) {
            this.initializer = Objects.requireNonNull(initializer, "initializer must not be null");
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public ThreadOptions build() {
            return new ThreadOptions(this);
        }
    }
}
