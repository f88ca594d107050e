package dev.forkwise;

import java.io.Serial;
import java.util.Objects;

/**
 * A task threw an exception. {@link #getCause()} is the exception the task threw, with its own
 * type, message and stack trace.
 *
 * <p>{@code map} throws it directly; a future returned by {@code submit} or {@code applyAsync}
 * completes exceptionally with it (so {@code get()} throws an {@code ExecutionException} whose
 * cause is this exception).
 */
public class TaskFailedException extends ForkwiseException {

    @Serial private static final long serialVersionUID = 1L;

    private final String task;

    /**
     * Creates the exception for a task that threw {@code cause}.
     *
     * @param task a description of the task, for example {@code "map input #17 (value 17)"}
     * @param cause what the task threw
     */
    public TaskFailedException(String task, Throwable cause) {
        super(
                Objects.requireNonNull(task, "task")
                        + " failed: "
                        + Objects.requireNonNull(cause, "cause"),
                cause);
        this.task = task;
    }

    /**
     * Returns which task failed, for example {@code "map input #17 (value 17)"} or {@code "submit
     * #3"}.
     *
     * @return the task's description
     */
    public String task() {
        return task;
    }
}
