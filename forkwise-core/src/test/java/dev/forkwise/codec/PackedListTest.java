package dev.forkwise.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * A map's results that stay packed behave as the mutable {@code ArrayList} of boxes they stand for:
 * same elements, equality, hash, serialized form, and every kind of change.
 */
class PackedListTest {

    /**
     * Chunks of random sizes of one kind, as a worker would send them, and the boxes they stand
     * for.
     */
    private static List<Object> chunks(Random r, int kind, List<Object> expected) {
        List<Object> chunks = new ArrayList<>();
        for (int c = r.nextInt(5) + 1; c > 0; c--) {
            int n = r.nextInt(50);
            switch (kind) {
                case 0 -> {
                    int[] a = r.ints(n).toArray();
                    for (int v : a) {
                        expected.add(v);
                    }
                    chunks.add(Packed.ofInts(a));
                }
                case 1 -> {
                    long[] a = r.longs(n).toArray();
                    for (long v : a) {
                        expected.add(v);
                    }
                    chunks.add(Packed.ofLongs(a));
                }
                default -> {
                    double[] a = r.doubles(n).map(d -> d * 1e6 - 5e5).toArray();
                    for (double v : a) {
                        expected.add(v);
                    }
                    chunks.add(Packed.ofDoubles(a));
                }
            }
        }
        return chunks;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void itIsTheListOfBoxesItStandsFor(long seed) throws Exception {
        Random r = new Random(seed);
        List<Object> expected = new ArrayList<>();
        PackedList list = PackedList.concat(chunks(r, (int) (seed % 3), expected));
        assertThat(list).isNotNull();
        assertThat(list).containsExactlyElementsOf(expected);
        assertThat(list).isEqualTo(expected);
        assertThat(list.hashCode()).isEqualTo(expected.hashCode());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(list.get(i)).isEqualTo(expected.get(i)).hasSameClassAs(expected.get(i));
        }

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(list);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            Object back = in.readObject();
            assertThat(back).isInstanceOf(ArrayList.class).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    void everyChangeMatchesTheSameChangeOnAnArrayList(long seed) {
        Random r = new Random(seed);
        List<Object> expected = new ArrayList<>();
        List<Object> list = PackedList.concat(chunks(r, (int) (seed % 3), expected));
        Object sample = expected.isEmpty() ? 1 : expected.get(0);
        for (int step = 0; step < 200; step++) {
            int size = expected.size();
            switch (r.nextInt(6)) {
                case 0 -> { // same class: stays packed
                    if (size > 0) {
                        int i = r.nextInt(size);
                        Object v =
                                sample instanceof Integer
                                        ? (Object) r.nextInt()
                                        : sample instanceof Long
                                                ? (Object) r.nextLong()
                                                : (Object) r.nextDouble();
                        assertThat(list.set(i, v)).isEqualTo(expected.set(i, v));
                    }
                }
                case 1 -> { // null or another class: becomes an ArrayList underneath
                    if (size > 0) {
                        int i = r.nextInt(size);
                        Object v = r.nextBoolean() ? null : "text";
                        assertThat(list.set(i, v)).isEqualTo(expected.set(i, v));
                    }
                }
                case 2 -> {
                    int i = r.nextInt(size + 1);
                    list.add(i, step);
                    expected.add(i, step);
                }
                case 3 -> {
                    if (size > 0) {
                        int i = r.nextInt(size);
                        assertThat(list.remove(i)).isEqualTo(expected.remove(i));
                    }
                }
                case 4 -> {
                    if (size > 2) {
                        int from = r.nextInt(size / 2);
                        list.subList(from, from + 2).clear();
                        expected.subList(from, from + 2).clear();
                    }
                }
                default -> {
                    list.add(sample);
                    expected.add(sample);
                }
            }
            assertThat(list).isEqualTo(expected);
        }
    }

    @Test
    void anIteratorFailsFastAfterAStructuralChange() {
        List<Object> list = PackedList.concat(List.of(Packed.ofInts(new int[] {1, 2, 3})));
        Iterator<Object> it = list.iterator();
        it.next();
        list.add(4);
        assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);
        assertThatThrownBy(() -> list.get(4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void chunksOfDifferentKindsOrUnpackedOnesAreNotConcatenated() {
        assertThat(
                        PackedList.concat(
                                List.of(
                                        Packed.ofInts(new int[] {1}),
                                        Packed.ofLongs(new long[] {2}))))
                .isNull();
        assertThat(PackedList.concat(List.of(Packed.ofInts(new int[] {1}), new Object[] {2})))
                .isNull();
        assertThat(PackedList.concat(List.of())).isNull();
        assertThat(PackedList.of(Packed.ofDoubles(new double[] {-0.0, Double.NaN})))
                .containsExactly(-0.0, Double.NaN);
        assertThat(PackedList.of(new Object[] {"a", null})).containsExactly("a", null);
    }
}
