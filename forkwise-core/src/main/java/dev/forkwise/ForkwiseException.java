package dev.forkwise;

import java.io.Serial;

/**
 * The base of forkwise's own exceptions; every one is unchecked.
 *
 * <p>The subtypes say what went wrong with a task: it threw ({@link TaskFailedException}), the
 * worker running it died ({@link WorkerCrashedException}), it ran past its hard time limit ({@link
 * TaskTimeoutException}), or it could not be sent to a worker process ({@link
 * NotTransferableException}).
 */
public class ForkwiseException extends RuntimeException {

    @Serial private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message and an optional cause.
     *
     * @param message what went wrong, and where possible how to fix it
     * @param cause the underlying exception, or {@code null}
     */
    public ForkwiseException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, and where possible how to fix it
     */
    public ForkwiseException(String message) {
        super(message);
    }
}
