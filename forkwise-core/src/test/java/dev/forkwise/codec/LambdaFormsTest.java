package dev.forkwise.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forkwise.Call;
import dev.forkwise.Fn;
import dev.forkwise.engine.Tasks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InvalidClassException;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.lang.invoke.SerializedLambda;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Lambdas and method references cross as a form and their captured values ({@link Lambdas}), with
 * no Java serialization stream, inline or numbered once per connection ({@link Forms}).
 */
class LambdaFormsTest {

    private final Codec codec =
            new Codec(null, LambdaFormsTest.class.getClassLoader(), Tasks.FACTORY);

    record Point(int x, String label) implements Serializable {}

    static Stream<Long> seeds() {
        return LongStream.rangeClosed(1, 6).boxed();
    }

    /** The message's values end where it ends: no serialization stream follows them. */
    private static boolean noJavaStream(Message m) {
        byte[] b = m.body();
        int values = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        return values + 4 == m.length();
    }

    private static int twice(int x) {
        return 2 * x;
    }

    /** A capturing lambda of each kind of value the codec knows, with a seeded random value. */
    private static List<Call<Object>> capturing(Random rnd) {
        int i = rnd.nextInt();
        long l = rnd.nextLong();
        double d = rnd.nextGaussian();
        String s = Long.toHexString(rnd.nextLong());
        byte[] bytes = new byte[rnd.nextInt(100)];
        rnd.nextBytes(bytes);
        Object[] mixed = {i, s, null, d};
        Point p = new Point(i, s);
        Fn<Integer, Integer> inner = x -> x + i;
        return List.of(
                () -> i,
                () -> l + i,
                () -> d * 2,
                () -> s + i,
                () -> Arrays.toString(bytes),
                () -> Arrays.asList(mixed).toString(),
                () -> p.label() + p.x(),
                () -> inner.apply(1),
                () -> twice(i));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void capturingLambdasCrossWithoutSerializationAndGiveTheSameResults(long seed)
            throws Exception {
        Random rnd = new Random(seed);
        for (Call<Object> c : capturing(rnd)) {
            Message m = Codec.encode(c);
            @SuppressWarnings("unchecked")
            Callable<Object> back = (Callable<Object>) codec.decode(m);
            assertThat(back).isNotSameAs(c);
            assertThat(back.call()).isEqualTo(c.call());
        }
        // of the captured values, only the record goes through serialization
        int i = rnd.nextInt();
        assertThat(noJavaStream(Codec.encode((Call<Integer>) () -> i + 1))).isTrue();
        Point p = new Point(i, "p");
        assertThat(noJavaStream(Codec.encode((Call<Integer>) () -> p.x()))).isFalse();
        Fn<Integer, Integer> ref = LambdaFormsTest::twice;
        assertThat(noJavaStream(Codec.encode(ref))).isTrue();
    }

    @Test
    void aNumberedFormIsSentOnceAndThenNamedByItsNumber() throws Exception {
        int k = 7;
        Call<Integer> c = () -> k * 3;
        Message first = Codec.encodeNumbered(c, true);
        Message second = Codec.encodeNumbered(c, true);
        assertThat(first.forms()).hasSize(1).isEqualTo(second.forms());
        Message inline = Codec.encode(c);
        assertThat(first.length())
                .as("a number instead of the form's bytes")
                .isLessThan(inline.length() - 50);

        Forms forms = new Forms();
        assertThatThrownBy(() -> codec.decode(first, forms))
                .isInstanceOf(StreamCorruptedException.class)
                .hasMessageContaining("never sent on this connection");
        assertThatThrownBy(() -> codec.decode(first))
                .isInstanceOf(StreamCorruptedException.class)
                .hasMessageContaining("without a connection's forms");
        int n = first.forms()[0];
        forms.define(n, Forms.bytes(n));
        assertThat(((Callable<?>) codec.decode(first, forms)).call()).isEqualTo(21);
        assertThat(((Callable<?>) codec.decode(second, forms)).call()).isEqualTo(21);
        assertThatThrownBy(() -> forms.define(n, Forms.bytes(n)))
                .isInstanceOf(StreamCorruptedException.class)
                .hasMessageContaining("defined twice");
    }

    @Test
    void aCallSiteWhoseClassTheFilterRefusesIsNotBuilt() {
        int k = 1;
        Call<Integer> c = () -> k;
        Codec narrow =
                new Codec(
                        "!dev.forkwise.codec.LambdaFormsTest",
                        LambdaFormsTest.class.getClassLoader(),
                        Tasks.FACTORY);
        assertThatThrownBy(() -> narrow.decode(Codec.encode(c)))
                .isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("REJECTED");
    }

    @Test
    void aFormTheCapturingClassDoesNotDeclareIsRefused() throws Exception {
        int k = 1;
        Call<Integer> real = () -> k;
        SerializedLambda sl = Lambdas.sender(real.getClass()).open(real);
        // the same call site, pointed at another method of the capturing class
        SerializedLambda forged =
                new SerializedLambda(
                        LambdaFormsTest.class,
                        sl.getFunctionalInterfaceClass(),
                        sl.getFunctionalInterfaceMethodName(),
                        sl.getFunctionalInterfaceMethodSignature(),
                        sl.getImplMethodKind(),
                        sl.getImplClass(),
                        "twice",
                        "(I)I",
                        sl.getInstantiatedMethodType(),
                        new Object[] {k});
        Lambdas.Shape shape = codec.shape(Lambdas.Form.write(forged));
        assertThatThrownBy(() -> shape.instantiate(new Object[] {k}, codec))
                .isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("no serializable lambda of this shape");
    }

    @Test
    void aLambdaThatCapturesNothingIsBuiltOnceAndShared() throws Exception {
        Fn<Integer, Integer> free = x -> x + 1;
        Forms forms = new Forms();
        Message m = Codec.encodeNumbered(free, true);
        forms.define(m.forms()[0], Forms.bytes(m.forms()[0]));
        assertThat(codec.decode(m, forms)).isSameAs(codec.decode(m, forms));
        assertThat(codec.decode(Codec.encode(free))).isSameAs(codec.decode(Codec.encode(free)));
    }
}
