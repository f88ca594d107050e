package dev.forkwise;

import java.io.Serializable;

/**
 * A task that returns nothing and may throw: the void counterpart of {@link Call}, serializable so
 * that it can run in a worker JVM.
 *
 * <pre>{@code
 * ChildProcess<Void> child = ChildProcess.run(() -> Files.writeString(out, report()));
 * }</pre>
 */
@FunctionalInterface
public interface Action extends Serializable {

    /**
     * Runs the task.
     *
     * @throws Exception if the task fails
     */
    void run() throws Exception;

    /**
     * Returns this action as a {@link Call} that returns {@code null}.
     *
     * @return the call
     */
    default Call<Void> asCall() {
        return new Calls.OfAction(this);
    }
}
