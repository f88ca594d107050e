package dev.forkwise.engine;

import java.io.Serial;

/**
 * Thrown by a {@link Chunk} when the function fails on one of its inputs, to name that input. The
 * engine turns it into a {@link dev.forkwise.TaskFailedException} whose cause is what the function
 * threw. Serializable, so it can come back from a worker process.
 */
final class InputFailure extends Exception {

    @Serial private static final long serialVersionUID = 1L;

    private final String input;

    InputFailure(String input, Throwable cause) {
        super(input, cause, false, false);
        this.input = input;
    }

    String input() {
        return input;
    }
}
