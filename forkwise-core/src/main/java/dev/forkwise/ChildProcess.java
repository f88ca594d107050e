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
 * dies. Its output reaches this JVM's stdout and stderr, each line prefixed with its pid.
 *
 * <p>Memory consistency effects: the call's actions that its result shows happen-before {@link
 * #result()} returns.
 *
 * @param <R> the result's type
 */
public final class ChildProcess<R> implements AutoCloseable {

    private final ChildRun run;

    private ChildProcess(ChildRun run) {
        this.run = run;
    }

    /**
     * Starts {@code call} in a new child JVM with default options.
     *
     * @param call the call; it and everything it captures must be serializable
     * @param <R> the result's type
     * @return the running child
     * @throws NotTransferableException if the call captures something that cannot be sent
     */
    public static <R> ChildProcess<R> start(Call<R> call) {
        return start(call, ProcessOptions.ofWorkers(1));
    }

    /**
     * Starts {@code call} in a new child JVM with the JVM options, environment, working directory,
     * time limit and initializer of {@code options} (its pool settings are ignored).
     *
     * @param call the call; it and everything it captures must be serializable
     * @param options how to start the child
     * @param <R> the result's type
     * @return the running child
     * @throws NotTransferableException if the call captures something that cannot be sent
     */
    public static <R> ChildProcess<R> start(Call<R> call, ProcessOptions options) {
        Objects.requireNonNull(call, "call must not be null");
        Objects.requireNonNull(options, "options must not be null");
        return new ChildProcess<>(ChildRun.start(call, options));
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

    @Override
    public String toString() {
        return "ChildProcess[pid " + pid() + ", " + exitCode().stream().mapToObj(c -> "exit code " + c).findFirst().orElse("running") + "]";
    }
}
