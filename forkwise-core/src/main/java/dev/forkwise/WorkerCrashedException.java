package dev.forkwise;

import java.io.Serial;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The worker process running a task died (killed by a signal, {@code System.exit}, {@code
 * Runtime.halt}, {@code OutOfMemoryError}, a native crash) before the task finished. Only that task
 * fails; the pool replaces the worker and every other task goes on.
 */
public class WorkerCrashedException extends ForkwiseException {

    @Serial private static final long serialVersionUID = 1L;

    private final String task;
    private final long pid;
    private final int exitCode;
    private final String signal;
    private final List<String> lastStderr;

    /**
     * Creates the exception.
     *
     * @param task a description of the task that was running
     * @param pid the dead worker's process id
     * @param exitCode the worker's exit code ({@code 128 + n} when killed by signal {@code n})
     * @param signal the signal's name ({@code "SIGKILL"}), or {@code null} if it exited by itself
     * @param lastStderr the last lines the worker wrote to standard error, oldest first
     */
    public WorkerCrashedException(
            String task, long pid, int exitCode, String signal, List<String> lastStderr) {
        this(task, pid, exitCode, signal, lastStderr, null);
    }

    /**
     * Creates the exception, saying why forkwise itself killed the worker, if it did.
     *
     * @param task a description of the task that was running
     * @param pid the dead worker's process id
     * @param exitCode the worker's exit code ({@code 128 + n} when killed by signal {@code n})
     * @param signal the signal's name ({@code "SIGKILL"}), or {@code null} if it exited by itself
     * @param lastStderr the last lines the worker wrote to standard error, oldest first
     * @param reason why forkwise killed the worker (a time limit, a memory limit), or {@code null}
     */
    public WorkerCrashedException(
            String task,
            long pid,
            int exitCode,
            String signal,
            List<String> lastStderr,
            String reason) {
        super(message(task, pid, exitCode, signal, lastStderr, reason));
        this.task = task;
        this.pid = pid;
        this.exitCode = exitCode;
        this.signal = signal;
        this.lastStderr = List.copyOf(lastStderr);
    }

    private static String message(
            String task,
            long pid,
            int exitCode,
            String signal,
            List<String> lastStderr,
            String reason) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(lastStderr, "lastStderr");
        StringBuilder m = new StringBuilder();
        m.append("worker pid ").append(pid).append(" died while running ").append(task);
        m.append(": exit code ").append(exitCode);
        if (signal != null) {
            m.append(" (").append(signal).append(')');
        }
        if (reason != null) {
            m.append("; ").append(reason);
        }
        if (!lastStderr.isEmpty()) {
            m.append("; its last stderr lines:");
            for (String line : lastStderr) {
                m.append(System.lineSeparator()).append("  | ").append(line);
            }
        }
        return m.toString();
    }

    /**
     * Returns which task was running on the worker.
     *
     * @return the task's description
     */
    public String task() {
        return task;
    }

    /**
     * Returns the dead worker's process id.
     *
     * @return the pid
     */
    public long pid() {
        return pid;
    }

    /**
     * Returns the worker's exit code.
     *
     * @return the exit code, {@code 128 + n} when killed by signal {@code n}
     */
    public int exitCode() {
        return exitCode;
    }

    /**
     * Returns the signal that killed the worker, by name.
     *
     * @return for example {@code "SIGKILL"}; empty if the worker exited by itself
     */
    public Optional<String> signal() {
        return Optional.ofNullable(signal);
    }

    /**
     * Returns the last lines the worker wrote to standard error.
     *
     * @return the lines, oldest first; possibly empty
     */
    public List<String> lastStderr() {
        return lastStderr;
    }
}
