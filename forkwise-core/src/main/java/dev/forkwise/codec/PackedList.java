package dev.forkwise.codec;

import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.lang.reflect.Array;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The result list of a {@code map} whose chunks all came back alike: one array of all the results,
 * with no per-element copy into an {@link ArrayList}. Chunks {@link Packed} alike (from worker
 * JVMs) make one primitive array, boxed on each {@link #get}; chunks of {@code Object[]} (from
 * threads) make one {@code Object[]}. It is the mutable list {@code map} promises: {@link #set} on
 * an {@code Object[]} stores the element, on a primitive array it keeps it packed when the element
 * is of the same class; anything else (a {@code null} or another class in a packed list, an
 * insertion or removal) first copies it into an {@link ArrayList} it then delegates to. It
 * serializes as an {@code ArrayList}.
 *
 * <p>Boxing on each read means {@code get(i) == get(i)} may be false for values outside the {@code
 * Integer}/{@code Long} caches; compare results with {@code equals}, as always for boxes.
 */
public final class PackedList extends AbstractList<Object> implements RandomAccess, Serializable {

    @Serial private static final long serialVersionUID = 1L;

    private transient Object packed; // Object[], int[], long[] or double[]; null once inflated
    private transient List<Object> inflated;

    private PackedList(Object packed) {
        this.packed = packed;
    }

    /**
     * A chunk's results as a list, whichever form they came in ({@code Object[]}, or {@link Packed}
     * from a worker JVM), without copying them: a packed chunk is boxed on each {@link #get}.
     */
    public static List<Object> of(Object chunkResult) {
        return chunkResult instanceof Packed p
                ? new PackedList(p.array())
                : Arrays.asList((Object[]) chunkResult);
    }

    /**
     * A list over {@code results}, which it now owns: no copy is made, and {@link #set} writes
     * through to it.
     *
     * @param results every result, in order
     * @return the list
     */
    public static PackedList adopt(Object[] results) {
        return new PackedList(results);
    }

    /**
     * @return one list of all the chunks' results, in order, if every chunk is packed with the same
     *     element class, or every chunk is an {@code Object[]}; otherwise null
     */
    public static PackedList concat(List<Object> chunkResults) {
        Class<?> kind = null;
        int total = 0;
        for (Object r : chunkResults) {
            Object array = r instanceof Packed p ? p.array() : r;
            if (!(r instanceof Packed || r instanceof Object[])
                    || (kind != null && array.getClass() != kind)) {
                return null;
            }
            kind = array.getClass();
            total += Array.getLength(array);
        }
        if (kind == null) {
            return null;
        }
        Object all = Array.newInstance(kind.getComponentType(), total);
        int at = 0;
        for (Object r : chunkResults) {
            Object part = r instanceof Packed p ? p.array() : r;
            int n = Array.getLength(part);
            System.arraycopy(part, 0, all, at, n);
            at += n;
        }
        return new PackedList(all);
    }

    @Override
    public Object get(int index) {
        if (inflated != null) {
            return inflated.get(index);
        }
        Objects.checkIndex(index, size());
        return switch (packed) {
            case Object[] a -> a[index];
            case int[] a -> a[index];
            case long[] a -> a[index];
            case double[] a -> a[index];
            default -> throw new IllegalStateException();
        };
    }

    @Override
    public int size() {
        if (inflated != null) {
            return inflated.size();
        }
        return switch (packed) {
            case Object[] a -> a.length;
            case int[] a -> a.length;
            case long[] a -> a.length;
            case double[] a -> a.length;
            default -> throw new IllegalStateException();
        };
    }

    @Override
    public Object set(int index, Object element) {
        if (inflated == null) {
            Object old = get(index);
            switch (packed) {
                case Object[] a -> {
                    a[index] = element;
                    return old;
                }
                case int[] a when element instanceof Integer v -> {
                    a[index] = v;
                    return old;
                }
                case long[] a when element instanceof Long v -> {
                    a[index] = v;
                    return old;
                }
                case double[] a when element instanceof Double v -> {
                    a[index] = v;
                    return old;
                }
                default -> inflate();
            }
        }
        return inflated.set(index, element);
    }

    @Override
    public void add(int index, Object element) {
        inflate();
        inflated.add(index, element);
        modCount++;
    }

    @Override
    public Object remove(int index) {
        inflate();
        Object old = inflated.remove(index);
        modCount++;
        return old;
    }

    @Override
    protected void removeRange(int fromIndex, int toIndex) {
        inflate();
        inflated.subList(fromIndex, toIndex).clear();
        modCount++;
    }

    private void inflate() {
        if (inflated == null) {
            List<Object> copy = new ArrayList<>(size());
            for (int i = 0, n = size(); i < n; i++) {
                copy.add(get(i));
            }
            inflated = copy;
            packed = null;
        }
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        return new ArrayList<>(this);
    }
}
