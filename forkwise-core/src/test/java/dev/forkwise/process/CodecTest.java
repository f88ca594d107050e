package dev.forkwise.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forkwise.Fn;
import java.io.File;
import java.io.InvalidClassException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** What may cross the channel, and that it comes back equal. */
class CodecTest {

    private final Codec codec = new Codec(null, CodecTest.class.getClassLoader());

    record Point(int x, String label) implements java.io.Serializable {}

    static Stream<Long> seeds() {
        return Stream.of(1L, 2L, 3L, 4L, 5L);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void valuesComeBackEqual(long seed) throws Exception {
        Random rnd = new Random(seed);
        List<Object> values = new ArrayList<>();
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            values.add(rnd.nextLong());
            values.add(new Point(rnd.nextInt(), Long.toHexString(rnd.nextLong())));
            values.add(BigInteger.valueOf(rnd.nextLong()).pow(3));
            values.add(Duration.ofNanos(rnd.nextLong(Long.MAX_VALUE)));
            values.add(List.of(rnd.nextDouble(), rnd.nextBoolean()));
            map.put("k" + i, new int[] {rnd.nextInt(), rnd.nextInt()}.length);
        }
        values.add(map);
        assertThat(codec.decode(Codec.encode(values))).isEqualTo(values);
    }

    @Test
    void lambdasAndExceptionsCross() throws Exception {
        Fn<Integer, Integer> twice = x -> x * 2;
        @SuppressWarnings("unchecked")
        Fn<Integer, Integer> back = (Fn<Integer, Integer>) codec.decode(Codec.encode(twice));
        assertThat(back.apply(21)).isEqualTo(42);
        Object e = codec.decode(Codec.encode(new java.io.UncheckedIOException(new java.io.IOException("x"))));
        assertThat(e).isInstanceOf(java.io.UncheckedIOException.class);
    }

    @Test
    void jdkClassesOutsideTheAllowedSetAreRejected() throws Exception {
        byte[] file = Codec.encode(new File("/etc/passwd"));
        assertThatThrownBy(() -> codec.decode(file)).isInstanceOf(InvalidClassException.class).hasMessageContaining("REJECTED");
        byte[] inList = Codec.encode(new ArrayList<>(List.of("fine", new File("x"))));
        assertThatThrownBy(() -> codec.decode(inList)).isInstanceOf(InvalidClassException.class);
        assertThat(Codec.allowed(javax.management.ObjectName.class)).isFalse();
        assertThat(Codec.allowed(java.lang.reflect.Proxy.class)).isFalse();
        assertThat(Codec.allowed(Point.class)).isTrue();
        assertThat(Codec.allowed(java.util.HashMap.class)).isTrue();
    }

    @Test
    void aUserPatternNarrowsTheSet() throws Exception {
        Codec strict = new Codec("java.base/*;!*", CodecTest.class.getClassLoader());
        assertThat(strict.decode(Codec.encode(List.of(1, 2)))).isEqualTo(List.of(1, 2));
        assertThatThrownBy(() -> strict.decode(Codec.encode(new Point(1, "p")))).isInstanceOf(InvalidClassException.class);
    }
}
