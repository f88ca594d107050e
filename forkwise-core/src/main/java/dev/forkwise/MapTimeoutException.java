package dev.forkwise;

import dev.forkwise.process.Durations;

import java.io.Serial;
import java.time.Duration;

/**
 * A {@code map} or {@code starmap} with a time limit did not finish within it (Python's {@code
 * Executor.map(..., timeout=)} raising {@code TimeoutError}). Its tasks that had not finished were
 * cancelled, the running ones interrupted.
 */
public class MapTimeoutException extends ForkwiseException {

    @Serial private static final long serialVersionUID = 1L;

    private final Duration limit;
    private final int done;
    private final int total;

    /**
     * Creates the exception.
     *
     * @param call the bulk call ({@code "map"})
     * @param limit its time limit
     * @param done how many inputs had a result by then
     * @param total how many inputs there were
     */
    public MapTimeoutException(String call, Duration limit, int done, int total) {
        super(
                call
                        + " did not finish within its time limit of "
                        + Durations.format(limit)
                        + ": "
                        + done
                        + " of "
                        + total
                        + " inputs were done; the rest were cancelled and the running ones"
                        + " interrupted");
        this.limit = limit;
        this.done = done;
        this.total = total;
    }

    /**
     * @return the time limit the call ran past
     */
    public Duration limit() {
        return limit;
    }

    /**
     * @return how many inputs had a result when the limit passed
     */
    public int done() {
        return done;
    }

    /**
     * @return how many inputs the call had
     */
    public int total() {
        return total;
    }
}
