package dev.forkwise;

import java.io.Serial;
import java.util.Objects;

/**
 * A task, its input or its result cannot cross a process boundary, because something it holds is
 * not serializable. Thrown at the call ({@code submit}, {@code map}), before anything runs.
 *
 * <p>The message names the offending class and the path to it, for example {@code captured arg 1 →
 * field conn of Client → java.net.Socket}.
 */
public class NotTransferableException extends ForkwiseException {

    @Serial private static final long serialVersionUID = 1L;

    private final String path;

    /**
     * Creates the exception.
     *
     * @param path the path from the task to the object that cannot be sent
     * @param message what cannot be sent and how to fix it
     * @param cause the serialization error, or {@code null}
     */
    public NotTransferableException(String path, String message, Throwable cause) {
        super(message, cause);
        this.path = Objects.requireNonNull(path, "path");
    }

    /**
     * Returns the path from the task to the object that cannot be sent.
     *
     * @return for example {@code "captured arg 1 → field conn of Client → java.net.Socket"}
     */
    public String path() {
        return path;
    }
}
