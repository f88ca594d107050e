package dev.forkwise.ipc;

import java.io.Serial;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A fixed-length array in shared memory (Python's {@code multiprocessing.Array} and {@code
 * shared_memory}): {@link #longs}, {@link #ints}, {@link #doubles} or {@link #bytes}. Every process
 * that holds the handle sees the same elements; passing the handle to a worker maps the memory
 * there, it does not copy it.
 *
 * <p>Element access: {@code get}/{@code set} are volatile loads and stores, {@code addAndGet},
 * {@code getAndIncrement} and {@code compareAndSet} are atomic across processes, and bulk {@code
 * copyFrom}/{@code copyTo} move many elements with plain (not atomic) copies: use them for data
 * that one process fills before handing it on, and a {@link SharedLock}, {@link SharedEvent} or
 * {@link SharedBarrier} to hand it on. {@link #segment()} gives the memory itself for the FFM API.
 *
 * <p>Memory consistency effects: as for {@link SharedLong}, per element.
 */
public abstract sealed class SharedArray extends Handle
        permits SharedArray.Longs, SharedArray.Ints, SharedArray.Doubles, SharedArray.Bytes {

    @Serial private static final long serialVersionUID = 1L;

    static final long BASE = Segment.HEADER;
    private static final long MAX_BYTES = 1L << 40;

    private final transient int length;
    private final transient int shift;

    SharedArray(Segment s, int shift) {
        super(s);
        this.shift = shift;
        this.length = (int) Math.min(Integer.MAX_VALUE, s.payloadSize() >> shift);
    }

    /** A shared {@code long[length]}, zeroed. */
    public static Longs longs(int length) {
        return new Longs(newSegment(Segment.Kind.LONGS, bytes(length, 3)));
    }

    /** A shared {@code int[length]}, zeroed. */
    public static Ints ints(int length) {
        return new Ints(newSegment(Segment.Kind.INTS, bytes(length, 2)));
    }

    /** A shared {@code double[length]}, zeroed. */
    public static Doubles doubles(int length) {
        return new Doubles(newSegment(Segment.Kind.DOUBLES, bytes(length, 3)));
    }

    /**
     * A shared {@code int[]} holding {@code values} (Python's {@code Array('i', [1, 2, 3])}).
     *
     * @param values the elements, copied in
     * @return the array, owned by the calling process
     */
    public static Ints ofInts(int... values) {
        Ints a = ints(values.length);
        a.copyFrom(values);
        return a;
    }

    /**
     * A shared {@code long[]} holding {@code values}.
     *
     * @param values the elements, copied in
     * @return the array, owned by the calling process
     */
    public static Longs ofLongs(long... values) {
        Longs a = longs(values.length);
        a.copyFrom(values);
        return a;
    }

    /**
     * A shared {@code double[]} holding {@code values} (Python's {@code Array('d', [...])}).
     *
     * @param values the elements, copied in
     * @return the array, owned by the calling process
     */
    public static Doubles ofDoubles(double... values) {
        Doubles a = doubles(values.length);
        a.copyFrom(values);
        return a;
    }

    /** A shared {@code byte[length]}, zeroed. */
    public static Bytes bytes(int length) {
        return new Bytes(newSegment(Segment.Kind.BYTES, bytes(length, 0)));
    }

    /**
     * A shared {@code byte[length]}, zeroed, that any process of the same user can attach by {@code
     * name} with {@link #attachBytes(String)}, without being given the handle in a task (Python's
     * {@code shared_memory.SharedMemory(name=..., create=True)}). The name lives while the array
     * does: its creator's {@code close()} (or exit) frees it.
     *
     * @param length the length
     * @param name 1 to 64 letters, digits, {@code _}, {@code .} or {@code -}
     * @return the array, owned by the calling process
     * @throws IllegalArgumentException if the name is not such a word
     * @throws IllegalStateException if a live shared array already has the name
     */
    public static Bytes bytes(int length, String name) {
        Segment s = newSegment(Segment.Kind.BYTES, bytes(length, 0));
        try {
            Segments.name(s, name);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return new Bytes(s);
    }

    /**
     * Attaches the shared {@code byte[]} another process created with {@link #bytes(int, String)}
     * (Python's {@code shared_memory.SharedMemory(name=...)}): the same memory, no copy. Only
     * processes of the same user can, by the private folder's permissions.
     *
     * @param name its name
     * @return a handle on it; closing it unmaps it here and leaves it to its creator
     * @throws IllegalArgumentException if no live shared array has the name
     */
    public static Bytes attachBytes(String name) {
        Segment s = Segments.attach(Segments.named(name), Segment.Kind.BYTES);
        Object h = s.handle;
        if (h == null) {
            synchronized (s) {
                h = s.handle;
                if (h == null) {
                    h = new Bytes(s);
                }
            }
        }
        return (Bytes) h;
    }

    private static long bytes(int length, int shift) {
        if (length < 0) {
            throw new IllegalArgumentException(
                    "a shared array's length must be 0 or more, not " + length);
        }
        long b = (long) length << shift;
        if (b > MAX_BYTES) {
            throw new IllegalArgumentException(
                    "a shared array of "
                            + b
                            + " bytes is more than forkwise maps ("
                            + MAX_BYTES
                            + ")");
        }
        return b;
    }

    /**
     * @return the number of elements
     */
    public final int length() {
        return length;
    }

    /**
     * @return the elements' memory, {@code length() * elementSize} bytes, for the FFM API
     */
    public final MemorySegment segment() {
        return memory.asSlice(BASE, (long) length << shift);
    }

    final long at(int index) {
        return BASE + ((long) Objects.checkIndex(index, length) << shift);
    }

    final void checkRange(int index, int count, int arrayLength, int from) {
        Objects.checkFromIndexSize(index, count, length);
        Objects.checkFromIndexSize(from, count, arrayLength);
    }

    /** Shared {@code long} elements. */
    public static final class Longs extends SharedArray {
        @Serial private static final long serialVersionUID = 1L;

        Longs(Segment s) {
            super(s, 3);
        }

        public long get(int i) {
            return (long) Segment.LONG.getVolatile(memory, at(i));
        }

        public void set(int i, long v) {
            Segment.LONG.setVolatile(memory, at(i), v);
        }

        public long addAndGet(int i, long delta) {
            return (long) Segment.LONG.getAndAdd(memory, at(i), delta) + delta;
        }

        public long getAndAdd(int i, long delta) {
            return (long) Segment.LONG.getAndAdd(memory, at(i), delta);
        }

        public long getAndIncrement(int i) {
            return getAndAdd(i, 1);
        }

        public long incrementAndGet(int i) {
            return addAndGet(i, 1);
        }

        public boolean compareAndSet(int i, long expected, long update) {
            return Segment.LONG.compareAndSet(memory, at(i), expected, update);
        }

        /** Copies {@code src} into elements {@code 0 .. src.length-1}. */
        public void copyFrom(long[] src) {
            copyFrom(0, src, 0, src.length);
        }

        /**
         * Copies {@code count} elements of {@code src} from {@code from} to elements from {@code
         * index}.
         */
        public void copyFrom(int index, long[] src, int from, int count) {
            checkRange(index, count, src.length, from);
            MemorySegment.copy(
                    src, from, memory, ValueLayout.JAVA_LONG, BASE + ((long) index << 3), count);
        }

        /** Copies {@code count} elements from {@code index} into {@code dst} from {@code to}. */
        public void copyTo(int index, long[] dst, int to, int count) {
            checkRange(index, count, dst.length, to);
            MemorySegment.copy(
                    memory, ValueLayout.JAVA_LONG, BASE + ((long) index << 3), dst, to, count);
        }

        /**
         * @return a copy of all elements
         */
        public long[] toArray() {
            long[] a = new long[length()];
            copyTo(0, a, 0, a.length);
            return a;
        }
    }

    /** Shared {@code int} elements. */
    public static final class Ints extends SharedArray {
        @Serial private static final long serialVersionUID = 1L;

        Ints(Segment s) {
            super(s, 2);
        }

        public int get(int i) {
            return (int) Segment.INT.getVolatile(memory, at(i));
        }

        public void set(int i, int v) {
            Segment.INT.setVolatile(memory, at(i), v);
        }

        public int addAndGet(int i, int delta) {
            return (int) Segment.INT.getAndAdd(memory, at(i), delta) + delta;
        }

        public int getAndAdd(int i, int delta) {
            return (int) Segment.INT.getAndAdd(memory, at(i), delta);
        }

        public int getAndIncrement(int i) {
            return getAndAdd(i, 1);
        }

        public int incrementAndGet(int i) {
            return addAndGet(i, 1);
        }

        public boolean compareAndSet(int i, int expected, int update) {
            return Segment.INT.compareAndSet(memory, at(i), expected, update);
        }

        public void copyFrom(int[] src) {
            copyFrom(0, src, 0, src.length);
        }

        public void copyFrom(int index, int[] src, int from, int count) {
            checkRange(index, count, src.length, from);
            MemorySegment.copy(
                    src, from, memory, ValueLayout.JAVA_INT, BASE + ((long) index << 2), count);
        }

        public void copyTo(int index, int[] dst, int to, int count) {
            checkRange(index, count, dst.length, to);
            MemorySegment.copy(
                    memory, ValueLayout.JAVA_INT, BASE + ((long) index << 2), dst, to, count);
        }

        public int[] toArray() {
            int[] a = new int[length()];
            copyTo(0, a, 0, a.length);
            return a;
        }
    }

    /**
     * Shared {@code double} elements; the atomic updates compare bit patterns, as {@link
     * Double#equals} does.
     */
    public static final class Doubles extends SharedArray {
        @Serial private static final long serialVersionUID = 1L;
        private static final VarHandle DOUBLE = ValueLayout.JAVA_DOUBLE.varHandle();

        Doubles(Segment s) {
            super(s, 3);
        }

        public double get(int i) {
            return (double) DOUBLE.getVolatile(memory, at(i));
        }

        public void set(int i, double v) {
            DOUBLE.setVolatile(memory, at(i), v);
        }

        public double addAndGet(int i, double delta) {
            long at = at(i);
            while (true) {
                double cur = (double) DOUBLE.getVolatile(memory, at);
                double next = cur + delta;
                if (DOUBLE.compareAndSet(memory, at, cur, next)) {
                    return next;
                }
            }
        }

        public double getAndAdd(int i, double delta) {
            return addAndGet(i, delta) - delta;
        }

        public double getAndIncrement(int i) {
            return getAndAdd(i, 1.0);
        }

        public boolean compareAndSet(int i, double expected, double update) {
            return DOUBLE.compareAndSet(memory, at(i), expected, update);
        }

        public void copyFrom(double[] src) {
            copyFrom(0, src, 0, src.length);
        }

        public void copyFrom(int index, double[] src, int from, int count) {
            checkRange(index, count, src.length, from);
            MemorySegment.copy(
                    src, from, memory, ValueLayout.JAVA_DOUBLE, BASE + ((long) index << 3), count);
        }

        public void copyTo(int index, double[] dst, int to, int count) {
            checkRange(index, count, dst.length, to);
            MemorySegment.copy(
                    memory, ValueLayout.JAVA_DOUBLE, BASE + ((long) index << 3), dst, to, count);
        }

        public double[] toArray() {
            double[] a = new double[length()];
            copyTo(0, a, 0, a.length);
            return a;
        }
    }

    /**
     * Shared {@code byte} elements. The atomic updates work on the aligned {@code int} that holds
     * the byte (the hardware has no cross-process byte compare-and-set that Java reaches), so they
     * may retry when a neighbouring byte changes at the same moment.
     */
    public static final class Bytes extends SharedArray {
        @Serial private static final long serialVersionUID = 1L;
        private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();
        private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

        Bytes(Segment s) {
            super(s, 0);
        }

        public byte get(int i) {
            return (byte) BYTE.getVolatile(memory, at(i));
        }

        public void set(int i, byte v) {
            BYTE.setVolatile(memory, at(i), v);
        }

        public boolean compareAndSet(int i, byte expected, byte update) {
            long at = at(i);
            long word = at & ~3L;
            int shift = (LITTLE ? (int) (at & 3) : 3 - (int) (at & 3)) * 8;
            while (true) {
                int w = (int) Segment.INT.getVolatile(memory, word);
                if ((byte) (w >>> shift) != expected) {
                    return false;
                }
                int n = (w & ~(0xff << shift)) | ((update & 0xff) << shift);
                if (Segment.INT.compareAndSet(memory, word, w, n)) {
                    return true;
                }
            }
        }

        public byte addAndGet(int i, byte delta) {
            while (true) {
                byte cur = get(i);
                byte next = (byte) (cur + delta);
                if (compareAndSet(i, cur, next)) {
                    return next;
                }
            }
        }

        public byte getAndIncrement(int i) {
            return (byte) (addAndGet(i, (byte) 1) - 1);
        }

        public void copyFrom(byte[] src) {
            copyFrom(0, src, 0, src.length);
        }

        public void copyFrom(int index, byte[] src, int from, int count) {
            checkRange(index, count, src.length, from);
            MemorySegment.copy(src, from, memory, ValueLayout.JAVA_BYTE, BASE + index, count);
        }

        public void copyTo(int index, byte[] dst, int to, int count) {
            checkRange(index, count, dst.length, to);
            MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, BASE + index, dst, to, count);
        }

        public byte[] toArray() {
            byte[] a = new byte[length()];
            copyTo(0, a, 0, a.length);
            return a;
        }
    }
}
