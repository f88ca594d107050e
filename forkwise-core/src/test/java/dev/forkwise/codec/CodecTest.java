package dev.forkwise.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forkwise.Call;
import dev.forkwise.Fn;
import dev.forkwise.engine.Tasks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import javax.management.ObjectName;

/** What may cross the channel, and that it comes back equal. */
class CodecTest {

    private final Codec codec = new Codec(null, CodecTest.class.getClassLoader(), Tasks.FACTORY);

    record Point(int x, String label) implements Serializable {}

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
        Object e = codec.decode(Codec.encode(new UncheckedIOException(new IOException("x"))));
        assertThat(e).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void jdkClassesOutsideTheAllowedSetAreRejected() throws Exception {
        Message file = Codec.encode(new File("/etc/passwd"));
        assertThatThrownBy(() -> codec.decode(file))
                .isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("REJECTED");
        Message inList = Codec.encode(new ArrayList<>(List.of("fine", new File("x"))));
        assertThatThrownBy(() -> codec.decode(inList)).isInstanceOf(InvalidClassException.class);
        assertThat(ClassFilter.allowed(ObjectName.class)).isFalse();
        assertThat(ClassFilter.allowed(Proxy.class)).isFalse();
        assertThat(ClassFilter.allowed(Point.class)).isTrue();
        assertThat(ClassFilter.allowed(HashMap.class)).isTrue();
    }

    @Test
    void aUserPatternNarrowsTheSet() throws Exception {
        Codec strict = new Codec("java.base/*;!*", CodecTest.class.getClassLoader(), Tasks.FACTORY);
        assertThat(strict.decode(Codec.encode(List.of(1, 2)))).isEqualTo(List.of(1, 2));
        assertThatThrownBy(() -> strict.decode(Codec.encode(new Point(1, "p"))))
                .isInstanceOf(InvalidClassException.class);
    }

    /** A random value tree mixing every fast path with values that need serialization. */
    private static Object randomValue(Random rnd, int depth) {
        int kind = rnd.nextInt(depth > 3 ? 14 : 16);
        return switch (kind) {
            case 0 -> null;
            case 1 -> rnd.nextInt();
            case 2 -> rnd.nextLong();
            case 3 -> rnd.nextDouble();
            case 4 -> rnd.nextFloat();
            case 5 -> (short) rnd.nextInt();
            case 6 -> (byte) rnd.nextInt();
            case 7 -> (char) rnd.nextInt(0x10000);
            case 8 -> rnd.nextBoolean();
            case 9 ->
                    rnd.ints(rnd.nextInt(20), 0, 0x10FFFF)
                            .filter(c -> c < 0xD800 || c > 0xDFFF)
                            .collect(
                                    StringBuilder::new,
                                    StringBuilder::appendCodePoint,
                                    StringBuilder::append)
                            .toString();
            case 10 -> {
                byte[] b =
                        new byte
                                [rnd.nextInt(10) == 0
                                        ? Codec.ATTACH_AT + rnd.nextInt(1000)
                                        : rnd.nextInt(100)];
                rnd.nextBytes(b);
                yield b;
            }
            case 11 -> new Point(rnd.nextInt(), "p" + rnd.nextInt());
            case 12 -> BigInteger.valueOf(rnd.nextLong());
            case 13 -> new ArrayList<>(List.of(rnd.nextInt(), "x"));
            default -> {
                Object[] a = new Object[rnd.nextInt(8)];
                for (int i = 0; i < a.length; i++) {
                    a[i] = randomValue(rnd, depth + 1);
                }
                yield a;
            }
        };
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void mixedValueTreesComeBackEqualWithTheirExactTypes(long seed) throws Exception {
        Random rnd = new Random(seed);
        for (int i = 0; i < 200; i++) {
            Object v = randomValue(rnd, 0);
            Object back = codec.decode(Codec.encode(v));
            assertThat(back).usingRecursiveComparison().isEqualTo(v);
            if (v != null) {
                assertThat(back).isExactlyInstanceOf(v.getClass());
            }
        }
    }

    @Test
    void largeArraysTravelAsAttachmentsAndAreCopiedAtEncode() throws Exception {
        byte[] big = new byte[Codec.ATTACH_AT * 4];
        big[7] = 7;
        Message m = Codec.encode(new Object[] {big, "small", new byte[] {1, 2}});
        assertThat(m.attachments()).hasNumberOfRows(1);
        assertThat(m.length()).isLessThan(100);
        big[7] = 8; // the caller changes its array after submit: the message keeps what was sent
        Object[] back = (Object[]) codec.decode(m);
        assertThat(((byte[]) back[0])[7]).isEqualTo((byte) 7);
        assertThat(back[1]).isEqualTo("small");

        Message result = Codec.encode(big, false);
        assertThat(result.attachments()[0]).isSameAs(big);
    }

    @Test
    void engineTasksTravelAsTheirPartsAndStillRun() throws Exception {
        Fn<Integer, Integer> square = x -> x * x;
        Callable<?> chunk = Tasks.mapChunk("map", square, new Object[] {1, 2, 3}, 10);
        Object back = codec.decode(Codec.encode(chunk));
        assertThat(back).isInstanceOf(Call.class); // a Chunk, or a PackedChunk for numbers
        assertThat((Object[]) ((Callable<?>) back).call()).containsExactly(1, 4, 9);
        Fn<Object, Object> show = String::valueOf;
        Callable<?> mixed = Tasks.mapChunk("map", show, new Object[] {1, "two", 3L}, 0);
        Object mixedBack = codec.decode(Codec.encode(mixed));
        assertThat(mixedBack).isInstanceOf(Portable.class);
        assertThat((Object[]) ((Callable<?>) mixedBack).call()).containsExactly("1", "two", "3");
        assertThatThrownBy(
                        () ->
                                Tasks.FACTORY.rebuild(
                                        Portable.Shape.MAP_CHUNK, new Object[] {"map", square}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Portable.Shape.ofTag((byte) 99))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("99");
    }

    @Test
    void aCaptureFreeLambdaIsDecodedOnceAndSharedACapturingOneIsNot() throws Exception {
        Fn<Integer, Integer> free = x -> x + 1;
        Object a = codec.decode(Codec.encode(free));
        Object b = codec.decode(Codec.encode(free));
        assertThat(a).isSameAs(b);
        int offset = 5;
        Fn<Integer, Integer> capturing = x -> x + offset;
        Object c = codec.decode(Codec.encode(capturing));
        Object d = codec.decode(Codec.encode(capturing));
        assertThat(c).isNotSameAs(d);
        @SuppressWarnings("unchecked")
        Fn<Integer, Integer> f = (Fn<Integer, Integer>) d;
        assertThat(f.apply(1)).isEqualTo(6);
    }

    /**
     * Arrays of one boxed number class, and arrays that only nearly are (a null, a second class).
     */
    private static Object[] numberArray(Random rnd) {
        int n = 2 + rnd.nextInt(rnd.nextBoolean() ? 10 : 5_000);
        int kind = rnd.nextInt(3);
        Object[] a = new Object[n];
        for (int i = 0; i < n; i++) {
            a[i] =
                    switch (kind) {
                        case 0 ->
                                rnd.nextInt(8) == 0
                                        ? rnd.nextInt(256) - 128
                                        : rnd.nextInt(); // cached and not
                        case 1 -> rnd.nextInt(8) == 0 ? Long.MIN_VALUE : rnd.nextLong();
                        default ->
                                switch (rnd.nextInt(8)) {
                                    case 0 -> Double.NaN;
                                    case 1 -> -0.0;
                                    case 2 ->
                                            Double.longBitsToDouble(
                                                    0x7ff8_0000_dead_beefL); // a NaN with a payload
                                    default -> rnd.nextGaussian() * 1e300;
                                };
                    };
        }
        switch (rnd.nextInt(4)) {
            case 0 -> a[rnd.nextInt(n)] = null;
            case 1 -> a[rnd.nextInt(n)] = kind == 0 ? (Object) 1L : (Object) 1;
            default -> {} // homogeneous: travels packed
        }
        return a;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void arraysOfOneNumberClassComeBackBitForBitWithTheirTypes(long seed) throws Exception {
        Random rnd = new Random(seed);
        for (int round = 0; round < 100; round++) {
            Object[] a = numberArray(rnd);
            Message m = Codec.encode(new Object[] {"before", a, "after"});
            Object[] back = (Object[]) codec.decode(m);
            assertThat(back[0]).isEqualTo("before");
            assertThat(back[2]).isEqualTo("after");
            Object[] b = (Object[]) back[1];
            assertThat(b).isExactlyInstanceOf(Object[].class);
            assertBitForBit(b, a);
        }
    }

    /**
     * Same length, and each element null where expected, else of the same class and equal (doubles:
     * the same bits).
     */
    private static void assertBitForBit(Object[] actual, Object[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == null) {
                assertThat(actual[i]).isNull();
            } else if (expected[i] instanceof Double d) {
                assertThat(actual[i]).isExactlyInstanceOf(Double.class);
                assertThat(Double.doubleToRawLongBits((Double) actual[i]))
                        .isEqualTo(Double.doubleToRawLongBits(d));
            } else {
                assertThat(actual[i])
                        .isExactlyInstanceOf(expected[i].getClass())
                        .isEqualTo(expected[i]);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aMapChunkOfNumbersRunsInTheWorkerAsItWouldHere(long seed) throws Exception {
        Random rnd = new Random(seed);
        for (int round = 0; round < 50; round++) {
            Object[] in = numberArray(rnd);
            Object failOn = rnd.nextInt(4) == 0 ? in[rnd.nextInt(in.length)] : "nothing";
            Fn<Object, Object> fn =
                    x -> {
                        if (Objects.equals(x, failOn)) {
                            throw new IllegalStateException("no " + x);
                        }
                        return x instanceof Double d
                                ? (Object)
                                        Double.longBitsToDouble(Double.doubleToRawLongBits(d) ^ 1L)
                                : x instanceof Long l
                                        ? (Object) (l * 31)
                                        : x instanceof Integer i ? (Object) (i ^ 0x5555) : "null";
                    };
            Callable<?> here = Tasks.mapChunk("map", fn, in, 100);
            Callable<?> there = (Callable<?>) codec.decode(Codec.encode(here));
            boolean packed =
                    Arrays.stream(in).allMatch(x -> x != null && x.getClass() == in[0].getClass());
            // a chunk of numbers is not boxed into an array before it runs: each input is boxed as
            // it is used
            assertThat(there.getClass().getSimpleName())
                    .isEqualTo(packed ? "PackedChunk" : "Chunk");
            Object[] expected;
            try {
                expected = (Object[]) here.call();
            } catch (Exception e) {
                assertThatThrownBy(there::call)
                        .isExactlyInstanceOf(e.getClass())
                        .hasMessage(e.getMessage())
                        .cause()
                        .isExactlyInstanceOf(IllegalStateException.class)
                        .hasMessage(e.getCause().getMessage());
                continue;
            }
            assertBitForBit((Object[]) there.call(), expected);
        }
    }

    @Test
    void aPackedMapChunkStopsWhenItsThreadIsInterrupted() throws Exception {
        Object[] in = new Object[10_000];
        Arrays.setAll(in, i -> (long) i);
        Fn<Long, Long> fn =
                x -> {
                    if (x == 10) {
                        Thread.currentThread()
                                .interrupt(); // as a cancel(true) would, while the chunk runs
                    }
                    return x;
                };
        Callable<?> there =
                (Callable<?>) codec.decode(Codec.encode(Tasks.mapChunk("map", fn, in, 0)));
        assertThat(there.getClass().getSimpleName()).isEqualTo("PackedChunk");
        assertThatThrownBy(there::call)
                .isInstanceOf(InterruptedException.class)
                .hasMessageContaining("map chunk cancelled");
        assertThat(Thread.interrupted()).isTrue(); // the status is left for the worker to clear
    }

    @Test
    void aMillionIntegersTravelInFourBytesEach() throws Exception {
        Object[] a = new Object[1_000_000];
        Arrays.setAll(a, i -> i * 7);
        Message m = Codec.encode(a);
        assertThat(m.length()).isLessThan(4_000_000 + 64);
        assertThat(Arrays.equals((Object[]) codec.decode(m), a)).isTrue();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void damagedMessagesFailWithAnIoExceptionNeverAnythingElse(long seed) throws Exception {
        Random rnd = new Random(seed);
        Object[] packed = {1L, 2L, 3L};
        Message good =
                Codec.encode(
                        new Object[] {
                            1,
                            "two",
                            new Point(3, "p"),
                            new byte[40],
                            List.of(5L),
                            packed,
                            new Object[] {4, 5}
                        });
        byte[] body = good.bytes();
        for (int i = 0; i < 500; i++) {
            byte[] bad = body.clone();
            if (rnd.nextBoolean()) {
                bad = Arrays.copyOf(bad, rnd.nextInt(bad.length));
            } else {
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                    bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt();
                }
            }
            byte[] damaged = bad;
            try {
                codec.decode(damaged);
            } catch (IOException | ClassNotFoundException expected) {
                // the one acceptable way to fail
            }
        }
    }
}
