package dev.forkwise;

import java.io.Serial;
import java.util.Objects;

/**
 * Stands in for an exception a task threw in a worker process that could not itself be sent back
 * (it holds something not serializable). It keeps the original's class name, message and stack
 * trace, and its cause chain is copied the same way.
 */
public class RemoteTaskException extends ForkwiseException {

    @Serial private static final long serialVersionUID = 1L;

    private final String className;

    /**
     * Creates the stand-in.
     *
     * @param className the original exception's class name
     * @param message the original's message, or null
     */
    public RemoteTaskException(String className, String message) {
        super(
                Objects.requireNonNull(className, "className")
                        + (message == null ? "" : ": " + message));
        this.className = className;
    }

    /**
     * Copies {@code t} and its causes into stand-ins that can always be sent.
     *
     * @param t the original
     * @return the copy, with the same stack traces
     */
    public static RemoteTaskException copyOf(Throwable t) {
        RemoteTaskException copy = new RemoteTaskException(t.getClass().getName(), t.getMessage());
        copy.setStackTrace(t.getStackTrace());
        if (t.getCause() != null && t.getCause() != t) {
            copy.initCause(copyOf(t.getCause()));
        }
        return copy;
    }

    /**
     * Returns the class name of the exception the task threw.
     *
     * @return for example {@code "com.example.DbException"}
     */
    public String className() {
        return className;
    }
}
