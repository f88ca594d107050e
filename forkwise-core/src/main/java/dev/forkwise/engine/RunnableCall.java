package dev.forkwise.engine;

import dev.forkwise.Call;

/**
 * A {@link Runnable} with a fixed result, as a {@link Call}; serializable when the runnable is.
 *
 * @param runnable the work
 * @param result what the task returns
 */
record RunnableCall<T>(Runnable runnable, T result) implements Call<T> {
    @Override
    public T call() {
        runnable.run();
        return result;
    }
}
