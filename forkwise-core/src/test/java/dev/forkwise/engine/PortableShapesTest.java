package dev.forkwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forkwise.Fn;
import dev.forkwise.codec.Portable;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Each of the engine's portable tasks lists its components in its shape's order, under its shape's
 * names: reordering a record's fields must fail here, not silently change the wire.
 */
class PortableShapesTest {

    static Stream<Portable> tasks() {
        Fn<Object, Object> fn = x -> x;
        Chunk chunk = new Chunk("map", fn, new Object[] {1, 2}, 7);
        return Stream.of(chunk, new FirstResult<>(chunk), new RunnableCall<>(() -> {}, "done"));
    }

    @ParameterizedTest
    @MethodSource("tasks")
    void componentsFollowTheShapesNamesAndOrder(Portable task) throws Exception {
        RecordComponent[] record = task.getClass().getRecordComponents();
        List<String> names = Arrays.stream(record).map(RecordComponent::getName).toList();
        assertThat(names).isEqualTo(task.shape().components());
        Object[] components = task.components();
        assertThat(components).hasSize(record.length);
        for (int i = 0; i < record.length; i++) {
            assertThat(components[i])
                    .as(names.get(i))
                    .isEqualTo(record[i].getAccessor().invoke(task));
        }
    }

    @ParameterizedTest
    @MethodSource("tasks")
    void theFactoryPutsEachTaskBackTogether(Portable task) {
        Object back = Tasks.FACTORY.rebuild(task.shape(), task.components());
        assertThat(back).isEqualTo(task);
    }
}
