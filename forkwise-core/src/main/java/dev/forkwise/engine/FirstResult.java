package dev.forkwise.engine;

import dev.forkwise.Call;
import dev.forkwise.codec.Portable;

import java.util.List;
import java.util.Map;

/**
 * A one-input chunk whose task result is the single output, not an array of one: what {@code
 * applyAsync} runs.
 *
 * @param chunk the chunk of one input
 */
record FirstResult<R>(Chunk chunk) implements Call<R>, Portable {

    @Override
    public List<Map.Entry<String, Object>> parts() {
        return chunk.parts();
    }

    @SuppressWarnings("unchecked")
    @Override
    public R call() throws Exception {
        return (R) chunk.call()[0];
    }

    @Override
    public Shape shape() {
        return Shape.FIRST_RESULT;
    }

    @Override
    public Object[] components() {
        return new Object[] {chunk};
    }
}
