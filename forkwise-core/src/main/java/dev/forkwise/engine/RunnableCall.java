package dev.forkwise.engine;

import dev.forkwise.Call;
import dev.forkwise.codec.Portable;

import java.util.List;
import java.util.Map;

/**
 * A {@link Runnable} with a fixed result, as a {@link Call}; serializable when the runnable is.
 *
 * @param runnable the work
 * @param result what the task returns
 */
record RunnableCall<T>(Runnable runnable, T result) implements Call<T>, Portable {

    @Override
    public Shape shape() {
        return Shape.RUNNABLE;
    }

    @Override
    public Object[] components() {
        return new Object[] {runnable, result};
    }

    @Override
    public List<Map.Entry<String, Object>> parts() {
        return result == null
                ? List.of(Map.entry("runnable", runnable))
                : List.of(Map.entry("runnable", runnable), Map.entry("result", result));
    }

    @Override
    public T call() {
        runnable.run();
        return result;
    }
}
