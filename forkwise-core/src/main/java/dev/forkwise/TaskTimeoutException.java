package dev.forkwise;

import java.io.Serial;
import java.time.Duration;
import java.util.Objects;

/**
 * A task ran past its hard time limit. On a process pool the worker that ran it (and that worker's
 * own child processes) were killed and replaced; no other task was affected.
 */
public class TaskTimeoutException extends ForkwiseException {

    @Serial private static final long serialVersionUID = 1L;

    private final String task;
    private final Duration limit;

    /**
     * Creates the exception for a task that ran past {@code limit}.
     *
     * @param task a description of the task
     * @param limit the limit it ran past
     */
    public TaskTimeoutException(String task, Duration limit) {
        super(
                Objects.requireNonNull(task, "task")
                        + " ran past its time limit of "
                        + Objects.requireNonNull(limit, "limit")
                        + " and was stopped");
        this.task = task;
        this.limit = limit;
    }

    /**
     * Returns which task timed out.
     *
     * @return the task's description
     */
    public String task() {
        return task;
    }

    /**
     * Returns the limit the task ran past.
     *
     * @return the task's time limit
     */
    public Duration limit() {
        return limit;
    }
}
