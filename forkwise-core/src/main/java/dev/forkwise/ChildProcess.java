package dev.forkwise;

import dev.forkwise.process.ChildRun;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One call in one child JVM: Python's {@code multiprocessing.Process}, with the result and the
 * failure handling Python leaves to the user.
 *
 * <pre>{@code
 * ChildProcess<Long> child = ChildProcess.start(() -> Work.sumSquares(100_000_000));
 * long sum = child.result();        // waits; throws what the call threw, or why the child died
 * int code = child.exitCode().orElseThrow();   // 0: the call returned
 * }</pre>
 *
 * <p>The child is started with this JVM's own {@code java}, class path and module path; it exits
 * when the call is done (exit code 0 if the call returned, 1 if it threw), and at once if this JVM
 * dies. Its output reaches this JVM's stdout and stderr, each line prefixed with its name and pid;
 * a call that throws prints its exception and the child's stack trace there too, as Python's {@code
 * Process} prints the traceback. Like Python's, a child is not a daemon unless {@link
 * Builder#daemon} says so: a {@code main} that returns waits for it.
 *
 * <p>Memory consistency effects: the call's actions that its result shows happen-before {@link
 * #result()} returns.
 *
 * @param <R> the result's type
 */
public final class ChildProcess<R> implements AutoCloseable {

    private static final AtomicInteger NUMBERS = new AtomicInteger();

    private final ChildRun run;
    private final String name;
    private final boolean daemon;

    private ChildProcess(ChildRun run, String name, boolean daemon) {
        this.run = run;
        this.name = name;
        this.daemon = daemon;
        if (!daemon) {
            // a non-daemon thread that lives as long as the child: a main that returns waits for it
            Thread.ofPlatform()
                    .daemon(false)
                    .name("forkwise-" + name)
                    .start(() -> run.exit().join());
        }
    }

    /**
     * Starts {@code call} in a new child JVM with default options.
     *
     * @param call the call; it and everything it captures must be serializable
     * @param <R> the result's type
     * @return the running child
     * @throws NotTransferableException if the call captures something that cannot be sent, or its
     *     class cannot be loaded in a child JVM
     */
    public static <R> ChildProcess<R> start(Call<R> call) {
        return builder().start(call);
    }

    /**
     * Starts {@code call} in a new child JVM with the JVM options, environment, working directory,
     * time limits, class path and initializer of {@code options} (its pool settings are ignored).
     *
     * @param call the call; it and everything it captures must be serializable
     * @param options how to start the child
     * @param <R> the result's type
     * @return the running child
     * @throws NotTransferableException if the call captures something that cannot be sent, or its
     *     class cannot be loaded in a child JVM
     */
    public static <R> ChildProcess<R> start(Call<R> call, ProcessOptions options) {
        return builder().options(options).start(call);
    }

    /**
     * Starts {@code action}, which returns nothing, in a new child JVM with default options:
     * Python's {@code Process(target=f).start()}.
     *
     * @param action the action; it and everything it captures must be serializable
     * @return the running child; its {@link #result()} is {@code null} once the action has returned
     * @throws NotTransferableException if the action captures something that cannot be sent
     */
    public static ChildProcess<Void> run(Action action) {
        return builder().run(action);
    }

    /**
     * Returns a builder for a child with a name, a daemon flag or options.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the child's name: its {@link Builder#name}, or {@code child-N}. Its output lines are
     * prefixed with it.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns whether the child is a daemon: killed when this JVM exits, rather than waited for.
     *
     * @return true for a daemon
     */
    public boolean isDaemon() {
        return daemon;
    }

    /**
     * Returns the child's process id.
     *
     * @return the pid
     */
    public long pid() {
        return run.pid();
    }

    /**
     * Returns whether the child is still running.
     *
     * @return true until it has exited
     */
    public boolean isAlive() {
        return !run.exit().isDone();
    }

    /**
     * Waits until the child has exited.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void join() throws InterruptedException {
        try {
            run.exit().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until the child has exited or {@code limit} has passed.
     *
     * @param limit the longest wait
     * @return true if the child has exited
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean join(Duration limit) throws InterruptedException {
        try {
            run.exit().get(limit.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits for the call's result.
     *
     * @return what the call returned
     * @throws TaskFailedException if the call threw (the cause is what it threw)
     * @throws WorkerCrashedException if the child died before it answered
     * @throws TaskTimeoutException if the call ran past the options' time limit
     * @throws NotTransferableException if the result could not be sent back
     * @throws InterruptedException if interrupted while waiting
     */
    @SuppressWarnings("unchecked")
    public R result() throws InterruptedException {
        try {
            return (R) run.result().get();
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (CancellationException | CompletionException e) {
            throw unwrap(e);
        }
    }

    private static RuntimeException unwrap(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(t);
    }

    /**
     * Returns the child's exit code: 0 if the call returned, 1 if it threw, {@code 128 + n} if
     * killed by signal {@code n}, or what it passed to {@code System.exit}.
     *
     * @return the exit code, or empty while the child runs
     */
    public OptionalInt exitCode() {
        Integer code = run.exit().getNow(null);
        return code == null ? OptionalInt.empty() : OptionalInt.of(code);
    }

    /** Asks the child to stop (SIGTERM): its shutdown hooks run. */
    public void terminate() {
        run.terminate();
    }

    /** Kills the child and its own child processes (SIGKILL): nothing runs after. */
    public void kill() {
        run.kill();
    }

    /** Kills the child if it is still running. */
    @Override
    public void close() {
        if (isAlive()) {
            kill();
        }
    }

    /** How to start a child: its name, whether it is a daemon, and its options. */
    public static final class Builder {
        private String name;
        private boolean daemon;
        private ProcessOptions options = ProcessOptions.ofWorkers(1);

        private Builder() {}

        /**
         * Names the child (Python's {@code Process(name=...)}); its output lines are prefixed with
         * the name, and its exceptions and crash reports name it.
         *
         * @param name not blank
         * @return this builder
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name must not be null");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a child process's name must not be blank");
            }
            this.name = name;
            return this;
        }

        /**
         * Whether the child is a daemon (Python's {@code daemon=True}): killed when this JVM exits.
         * By default it is not, as in Python: a JVM whose {@code main} returns waits for its
         * children to finish before it exits, so a child that was started and never joined still
         * does its work. ({@code System.exit} does not wait for anything; every child, daemon or
         * not, dies within moments of its parent's death however the parent ends.)
         *
         * @param daemon true to kill the child when this JVM exits
         * @return this builder
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * The child's JVM options, environment, working directory, time limits, class path and
         * initializer (pool settings are ignored).
         *
         * @param options the options
         * @return this builder
         */
        public Builder options(ProcessOptions options) {
            this.options = Objects.requireNonNull(options, "options must not be null");
            return this;
        }

        /**
         * Starts {@code call} in a new child JVM.
         *
         * @param call the call; it and everything it captures must be serializable
         * @param <R> the result's type
         * @return the running child
         * @throws NotTransferableException if the call cannot be sent, or its class cannot be
         *     loaded in a child JVM
         */
        public <R> ChildProcess<R> start(Call<R> call) {
            Objects.requireNonNull(call, "call must not be null");
            return launch(call, call);
        }

        /**
         * Starts {@code call}, whose code to check for the child's class path is {@code code}'s.
         */
        private <R> ChildProcess<R> launch(Call<R> call, Object code) {
            String n = name != null ? name : "child-" + NUMBERS.incrementAndGet();
            return new ChildProcess<>(ChildRun.start(n, call, code, options), n, daemon);
        }

        /**
         * Starts {@code action}, which returns nothing, in a new child JVM.
         *
         * @param action the action; it and everything it captures must be serializable
         * @return the running child
         * @throws NotTransferableException if the action cannot be sent
         */
        public ChildProcess<Void> run(Action action) {
            Objects.requireNonNull(action, "action must not be null");
            return launch(action.asCall(), action);
        }
    }

    @Override
    public String toString() {
        return "ChildProcess["
                + name
                + ", pid "
                + pid()
                + ", "
                + exitCode().stream().mapToObj(c -> "exit code " + c).findFirst().orElse("running")
                + "]";
    }
}
