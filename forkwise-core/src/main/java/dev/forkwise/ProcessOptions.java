package dev.forkwise;

import java.io.ObjectInputFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * How {@link Pool#processes(ProcessOptions)} and {@link ChildProcess} start and supervise worker
 * JVMs. Immutable; made with {@link #builder()}. Every setting is checked when it is set, so a bad
 * value fails at once with a message that names it.
 *
 * <pre>{@code
 * ProcessOptions options = ProcessOptions.builder()
 *         .workers(4)
 *         .jvmOptions("-Xmx512m")
 *         .taskTimeout(Duration.ofSeconds(30))
 *         .maxTasksPerWorker(1_000)
 *         .build();
 * try (Pool pool = Pool.processes(options)) { ... }
 * }</pre>
 */
public final class ProcessOptions {

    /** The default {@link Builder#startTimeout}, in seconds. */
    public static final int DEFAULT_START_SECONDS = 30;

    private static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(DEFAULT_START_SECONDS);

    private final int workers;
    private final int threadsPerWorker;
    private final List<String> jvmOptions;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final Duration taskTimeout;
    private final int maxTasksPerWorker;
    private final long maxWorkerMemory;
    private final Call<?> initializer;
    private final int idempotentRetries;
    private final String allowedClasses;
    private final Duration keepWarm;
    private final Duration startTimeout;
    private final List<String> classPath;

    private ProcessOptions(Builder b) {
        this.workers = b.workers;
        this.threadsPerWorker = b.threadsPerWorker;
        this.jvmOptions = List.copyOf(b.jvmOptions);
        this.environment = Map.copyOf(b.environment);
        this.workingDirectory = b.workingDirectory;
        this.taskTimeout = b.taskTimeout;
        this.maxTasksPerWorker = b.maxTasksPerWorker;
        this.maxWorkerMemory = b.maxWorkerMemory;
        this.initializer = b.initializer;
        this.idempotentRetries = b.idempotentRetries;
        this.allowedClasses = b.allowedClasses;
        this.keepWarm = b.keepWarm;
        this.startTimeout = b.startTimeout;
        this.classPath = b.classPath == null ? null : List.copyOf(b.classPath);
    }

    /**
     * Starts a builder with the defaults: one worker per core, one thread per worker, no extra JVM
     * options, the parent's environment and working directory, no time limit, no recycling.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The defaults with {@code workers} workers.
     *
     * @param workers how many worker JVMs
     * @return the options
     */
    public static ProcessOptions ofWorkers(int workers) {
        return builder().workers(workers).build();
    }

    /**
     * @return how many worker JVMs the pool keeps
     */
    public int workers() {
        return workers;
    }

    /**
     * @return how many tasks each worker runs at once
     */
    public int threadsPerWorker() {
        return threadsPerWorker;
    }

    /**
     * @return extra options for each worker's {@code java} command, in order
     */
    public List<String> jvmOptions() {
        return jvmOptions;
    }

    /**
     * @return variables added to (or replacing those of) the parent's environment
     */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * @return the workers' working directory, or empty for the parent's
     */
    public Optional<Path> workingDirectory() {
        return Optional.ofNullable(workingDirectory);
    }

    /**
     * @return the hard limit on one task's run, or empty for none
     */
    public Optional<Duration> taskTimeout() {
        return Optional.ofNullable(taskTimeout);
    }

    /**
     * @return how long a worker JVM has, from its launch, to connect and run its initializer before
     *     it is killed as one that never started ({@link Builder#startTimeout})
     */
    public Duration startTimeout() {
        return startTimeout;
    }

    /**
     * @return the class path the workers get instead of the one forkwise works out ({@link
     *     Builder#classPath}), or empty
     */
    public Optional<List<String>> classPath() {
        return Optional.ofNullable(classPath);
    }

    /**
     * @return after how many tasks a worker is replaced by a fresh one, or empty for never
     */
    public OptionalInt maxTasksPerWorker() {
        return maxTasksPerWorker == 0 ? OptionalInt.empty() : OptionalInt.of(maxTasksPerWorker);
    }

    /**
     * @return the resident-memory limit of one worker in bytes, or empty for none
     */
    public OptionalLong maxWorkerMemory() {
        return maxWorkerMemory == 0 ? OptionalLong.empty() : OptionalLong.of(maxWorkerMemory);
    }

    /**
     * @return the task each worker runs once when it starts, if any
     */
    public Optional<Call<?>> initializer() {
        return Optional.ofNullable(initializer);
    }

    /**
     * @return how many times a task lost to a crashed worker is run again (0: never)
     */
    public int idempotentRetries() {
        return idempotentRetries;
    }

    /**
     * @return the {@link java.io.ObjectInputFilter} pattern that narrows which classes may cross
     *     the channel, or empty for forkwise's default set
     */
    public Optional<String> allowedClasses() {
        return Optional.ofNullable(allowedClasses);
    }

    /**
     * @return how long the pool's workers stay warm for a later pool after this one shuts down, or
     *     empty when they stop with the pool (the default)
     */
    public Optional<Duration> keepWarm() {
        return keepWarm.isZero() ? Optional.empty() : Optional.of(keepWarm);
    }

    @Override
    public String toString() {
        return "ProcessOptions[workers="
                + workers
                + ", threadsPerWorker="
                + threadsPerWorker
                + ", jvmOptions="
                + jvmOptions
                + ", taskTimeout="
                + taskTimeout
                + ", maxTasksPerWorker="
                + maxTasksPerWorker
                + ", maxWorkerMemory="
                + maxWorkerMemory
                + ", idempotentRetries="
                + idempotentRetries
                + ", keepWarm="
                + keepWarm
                + ", startTimeout="
                + startTimeout
                + "]";
    }

    /** Builds {@link ProcessOptions}; each setter checks its value at once. */
    public static final class Builder {
        private int workers = Runtime.getRuntime().availableProcessors();
        private int threadsPerWorker = 1;
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;
        private Duration taskTimeout;
        private int maxTasksPerWorker;
        private long maxWorkerMemory;
        private Call<?> initializer;
        private int idempotentRetries;
        private String allowedClasses;
        private Duration keepWarm = Duration.ZERO;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private List<String> classPath;

        private Builder() {}

        /**
         * Sets how many worker JVMs the pool keeps running.
         *
         * @param workers at least 1; one per core suits CPU-bound work
         * @return this builder
         */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException(
                        "workers must be at least 1, was "
                                + workers
                                + " (one per core suits CPU-bound work: "
                                + Runtime.getRuntime().availableProcessors()
                                + " here)");
            }
            this.workers = workers;
            return this;
        }

        /**
         * Sets how many tasks each worker runs at once, on its own threads: the hybrid of the
         * seeds, processes for isolation and threads inside each for waiting. The pool's
         * parallelism is {@code workers × threadsPerWorker}.
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder threadsPerWorker(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException(
                        "threadsPerWorker must be at least 1, was " + threads);
            }
            this.threadsPerWorker = threads;
            return this;
        }

        /**
         * Adds options to each worker's {@code java} command line, such as {@code "-Xmx512m"},
         * {@code "-Dkey=value"} or {@code "-XX:+UseSerialGC"}.
         *
         * @param options JVM options, each starting with {@code -}
         * @return this builder
         */
        public Builder jvmOptions(String... options) {
            for (String o : options) {
                Objects.requireNonNull(o, "a JVM option is null");
                if (!o.startsWith("-")) {
                    throw new IllegalArgumentException(
                            "JVM option '"
                                    + o
                                    + "' does not start with '-': pass options such as -Xmx512m"
                                    + " or -Dname=value, one per argument");
                }
                if (o.equals("-cp")
                        || o.equals("-classpath")
                        || o.equals("--class-path")
                        || o.equals("-jar")
                        || o.equals("-m")
                        || o.equals("--module")) {
                    throw new IllegalArgumentException(
                            "JVM option '"
                                    + o
                                    + "' is set by forkwise: workers use the parent's own class"
                                    + " path and main class");
                }
                jvmOptions.add(o);
            }
            return this;
        }

        /**
         * Sets one environment variable of the workers, on top of the parent's environment.
         *
         * @param name the variable's name
         * @param value its value
         * @return this builder
         */
        public Builder environment(String name, String value) {
            Objects.requireNonNull(name, "environment variable name");
            Objects.requireNonNull(value, "value of environment variable " + name);
            if (name.isEmpty() || name.indexOf('=') >= 0) {
                throw new IllegalArgumentException(
                        "environment variable name '" + name + "' is empty or contains '='");
            }
            environment.put(name, value);
            return this;
        }

        /**
         * Sets the workers' working directory.
         *
         * @param dir an existing directory
         * @return this builder
         */
        public Builder workingDirectory(Path dir) {
            Objects.requireNonNull(dir, "workingDirectory");
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(
                        "workingDirectory " + dir + " is not an existing directory");
            }
            this.workingDirectory = dir;
            return this;
        }

        /**
         * Sets a hard limit on each task: a task still running after it fails with {@link
         * TaskTimeoutException}, and its worker, with that worker's own child processes, is killed
         * and replaced.
         *
         * @param limit positive
         * @return this builder
         */
        public Builder taskTimeout(Duration limit) {
            Objects.requireNonNull(limit, "taskTimeout");
            if (limit.isNegative() || limit.isZero()) {
                throw new IllegalArgumentException("taskTimeout must be positive, was " + limit);
            }
            this.taskTimeout = limit;
            return this;
        }

        /**
         * How long a new worker JVM has, from its launch, to connect to the pool and run the
         * initializer, if any (default {@value #DEFAULT_START_SECONDS} s). A worker that is not
         * ready by then (an initializer that hangs, a JVM stopped or waiting for a debugger, a
         * machine too loaded to start a JVM) is killed, and counts as a start failure: the pool
         * starts another after a growing pause, and gives up after a few in a row, failing the
         * tasks waiting for it with {@link WorkerCrashedException} saying that the worker never
         * started and for how long it waited. A task's own {@link #taskTimeout} counts only from
         * when the task is sent to a ready worker, never a worker's start.
         *
         * @param limit positive, at most one hour
         * @return this builder
         */
        public Builder startTimeout(Duration limit) {
            Objects.requireNonNull(limit, "startTimeout");
            if (limit.isNegative() || limit.isZero() || limit.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException(
                        "startTimeout must be positive and at most one hour, was "
                                + limit
                                + " (a worker JVM usually starts in well under a second;"
                                + " the default is "
                                + DEFAULT_START_SECONDS
                                + " s)");
            }
            this.startTimeout = limit;
            return this;
        }

        /**
         * The class path of the workers, replacing the one forkwise works out. By default a worker
         * gets the parent's {@code java.class.path} and, ahead of it, the jars and folders of the
         * {@link java.net.URLClassLoader}s that loaded the task's classes (so tasks run under
         * {@code mvn exec:java}, in plugin hosts and application servers); set it where the
         * application's classes come from somewhere neither names (a fat-jar launcher's nested
         * jars, a custom class loader). It must contain forkwise-core itself.
         *
         * @param entries jars and folders, in order; at least one
         * @return this builder
         */
        public Builder classPath(String... entries) {
            if (entries.length == 0) {
                throw new IllegalArgumentException("classPath needs at least one jar or folder");
            }
            List<String> list = new ArrayList<>();
            for (String e : entries) {
                Objects.requireNonNull(e, "a classPath entry is null");
                if (e.isBlank()) {
                    throw new IllegalArgumentException("a classPath entry is blank");
                }
                list.add(e);
            }
            this.classPath = list;
            return this;
        }

        /**
         * Replaces each worker by a fresh JVM after it has run this many tasks (Python's {@code
         * maxtasksperchild}), against slow leaks.
         *
         * @param tasks at least 1
         * @return this builder
         */
        public Builder maxTasksPerWorker(int tasks) {
            if (tasks < 1) {
                throw new IllegalArgumentException(
                        "maxTasksPerWorker must be at least 1, was " + tasks);
            }
            this.maxTasksPerWorker = tasks;
            return this;
        }

        /**
         * Limits each worker's resident memory, checked every 250 ms and after every task. A worker
         * above 75% of the limit between tasks is replaced by a fresh one (a JVM rarely gives
         * memory back, so a slow leak is caught before it fails a task); a worker that passes the
         * limit while running a task is killed, and that task fails with {@link
         * WorkerCrashedException} saying why. Resident memory is read from {@code /proc} (Linux);
         * elsewhere the limit is not enforced.
         *
         * @param bytes at least 64 MiB (a JVM needs about 40 MiB to start)
         * @return this builder
         */
        public Builder maxWorkerMemory(long bytes) {
            if (bytes < 64L << 20) {
                throw new IllegalArgumentException(
                        "maxWorkerMemory must be at least 64 MiB (67108864 bytes), was "
                                + bytes
                                + ": a JVM needs about 40 MiB just to start");
            }
            this.maxWorkerMemory = bytes;
            return this;
        }

        /**
         * Sets a task that each worker runs once, before its first task (Python's {@code
         * initializer}). If it fails, the pool stops starting workers, fails its queued tasks with
         * the initializer's exception and rejects new ones, instead of restarting workers forever.
         *
         * @param initializer serializable, like any task
         * @return this builder
         */
        public Builder initializer(Call<?> initializer) {
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            return this;
        }

        /**
         * Declares the pool's tasks idempotent: a task whose worker crashed under it is run again
         * on a fresh worker, up to {@code retries} times, before it fails with {@link
         * WorkerCrashedException}. Leave at 0 (the default) for tasks with side effects that must
         * not happen twice. A timed-out task is never retried.
         *
         * @param retries 0 to 10
         * @return this builder
         */
        public Builder idempotentRetries(int retries) {
            if (retries < 0 || retries > 10) {
                throw new IllegalArgumentException(
                        "idempotentRetries must be between 0 and 10, was " + retries);
            }
            this.idempotentRetries = retries;
            return this;
        }

        /**
         * Narrows the classes allowed across the channel, with an {@link
         * java.io.ObjectInputFilter.Config#createFilter} pattern such as {@code
         * "com.example.**;java.base/*;!*"}. It is applied in addition to forkwise's own filter.
         *
         * @param pattern an ObjectInputFilter pattern
         * @return this builder
         */
        public Builder allowedClasses(String pattern) {
            Objects.requireNonNull(pattern, "allowedClasses");
            ObjectInputFilter.Config.createFilter(pattern); // fails now if malformed
            this.allowedClasses = pattern;
            return this;
        }

        /**
         * Keeps the pool's workers running for up to {@code idle} after the pool shuts down, so
         * that a later pool with the same launch settings starts with them instead of booting new
         * JVMs: its first result then comes in a few milliseconds rather than after a JVM start
         * (like joblib reusing loky's workers from one {@code Parallel} call to the next, or
         * Gradle's worker daemons from one build to the next). Each kept worker that no pool has
         * taken when {@code idle} has passed is stopped; kept workers die with the parent like any.
         *
         * <p>What is kept: once the pool has shut down and its last task has ended, each worker
         * that is idle and healthy (not timed out, retiring or stopped), up to the pool's number of
         * workers for the same settings. What takes it: a pool with the same worker command (JVM
         * options, class path), environment, working directory, threads per worker and initializer
         * (compared by its serialized form; it is not run again), whose {@code maxTasksPerWorker}
         * the worker has not reached. Such a worker has run other pools' tasks: a task that leaves
         * state behind in static fields or threads that keep running leaves it for the next pool's
         * tasks too, as it does for the same pool's later tasks. Leave this off where every pool
         * must start from fresh JVMs. A pool setting: {@link ChildProcess}, one call in one new
         * JVM, ignores it.
         *
         * @param idle zero (the default: workers stop with their pool) or positive, at most a day
         * @return this builder
         */
        public Builder keepWarm(Duration idle) {
            Objects.requireNonNull(idle, "keepWarm");
            if (idle.isNegative() || idle.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException(
                        "keepWarm must be between zero (off) and one day, was " + idle);
            }
            this.keepWarm = idle;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public ProcessOptions build() {
            return new ProcessOptions(this);
        }
    }
}
