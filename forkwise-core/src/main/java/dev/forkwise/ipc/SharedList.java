package dev.forkwise.ipc;

import java.io.Serial;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * A fixed-length list of numbers, strings and byte arrays in shared memory, readable and writable
 * from every process (Python's {@code multiprocessing.shared_memory.ShareableList}). Unlike a
 * {@link SharedMap}, nothing is served and nothing is copied through a socket: each element lives
 * in the list's own memory, read and written in place.
 *
 * {@snippet :
 * try (SharedList scores = SharedList.of("alice", 0L, "bob", 0L)) {
 *     pool.submit(() -> scores.set(1, 42L)); // in a worker JVM
 * }
 * }
 *
 * <p>An element is a {@link Long}, {@link Integer}, {@link Double}, {@link Boolean}, {@link
 * String}, {@code byte[]} or {@code null}. Each position has the room its first value needed
 * (numbers 8 bytes; a string's UTF-8 bytes, at least 8, rounded up to 8): {@link #set} takes any of
 * those types that fits that room, and throws {@link IllegalArgumentException} for one that does
 * not, naming the room. The list cannot grow or shrink ({@code add} and {@code remove} throw), as
 * Python's cannot; for a list that grows, use a {@link SharedQueue} or a {@link SharedMap} keyed by
 * index.
 *
 * <p><b>Concurrency.</b> Each position has a sequence word: a writer makes it odd (a
 * compare-and-set, so writers of one position take turns), writes, and makes it even again; a
 * reader copies the position and tries again if the word was odd or changed meanwhile. So a read
 * never sees half a write, in any process, and a writer that dies in the middle leaves the word
 * odd: the next writer takes the position over after {@value #STUCK_MILLIS} ms, and readers wait
 * for that.
 *
 * <p>Memory consistency effects: a {@code set} happens before a {@code get} of the same position
 * that returns its value.
 */
public final class SharedList extends Handle implements RandomAccess {

    @Serial private static final long serialVersionUID = 1L;

    /** How long a position may stay half-written before a writer takes it over from a dead one. */
    public static final long STUCK_MILLIS = 100;

    private static final int NULL = 0;
    private static final int LONG = 1;
    private static final int INT = 2;
    private static final int DOUBLE = 3;
    private static final int BOOLEAN = 4;
    private static final int STRING = 5;
    private static final int BYTES = 6;

    // payload: int count, then per position {long seq, int type, int room, int length, pad} and
    // its room; positions start 8-aligned
    private static final long COUNT = Segment.HEADER;
    private static final long FIRST = COUNT + 8;
    private static final long SEQ = 0;
    private static final long TYPE = 8;
    private static final long ROOM = 12;
    private static final long LENGTH = 16;
    private static final long DATA = 24;

    private final transient long[] at;
    private final transient View view = new View();

    SharedList(Segment s) {
        super(s);
        int n = (int) Segment.INT.get(memory, COUNT);
        this.at = new long[n];
        long p = FIRST;
        for (int i = 0; i < n; i++) {
            at[i] = p;
            p += DATA + (int) Segment.INT.get(memory, p + ROOM);
        }
    }

    /**
     * Creates a list holding {@code values}, each position with the room its value needs.
     *
     * @param values the elements: numbers, booleans, strings, byte arrays or nulls
     * @return the list, owned by the calling process
     * @throws IllegalArgumentException if a value is of another type
     */
    public static SharedList of(Object... values) {
        long bytes = 8;
        int[] rooms = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            rooms[i] = room(values[i], i);
            bytes += DATA + rooms[i];
        }
        Segment s = newSegment(Segment.Kind.LIST, bytes);
        Segment.INT.set(s.memory, COUNT, values.length);
        long p = FIRST;
        for (int i = 0; i < values.length; i++) {
            Segment.INT.set(s.memory, p + ROOM, rooms[i]);
            p += DATA + rooms[i];
        }
        SharedList list = new SharedList(s);
        for (int i = 0; i < values.length; i++) {
            list.set(i, values[i]);
        }
        return list;
    }

    /**
     * Returns the number of positions.
     *
     * @return the length, fixed at creation
     */
    public int size() {
        return at.length;
    }

    /**
     * Returns the element at {@code i}.
     *
     * @param i the position
     * @return its value now
     * @throws IndexOutOfBoundsException if there is no such position
     */
    public Object get(int i) {
        long p = position(i);
        try {
            long began = 0;
            while (true) {
                long seq = (long) Segment.LONG.getAcquire(memory, p + SEQ);
                if ((seq & 1) == 0) {
                    Object v = read(p);
                    if ((long) Segment.LONG.getAcquire(memory, p + SEQ) == seq) {
                        return v;
                    }
                } else if (began == 0) {
                    began = System.nanoTime();
                } else if (System.nanoTime() - began > STUCK_MILLIS * 2_000_000L) {
                    long mine = takeOver(p, seq); // its writer died writing: the value is gone
                    if (mine > 0) {
                        Segment.LONG.setRelease(memory, p + SEQ, mine + 1);
                    }
                }
                Thread.onSpinWait();
            }
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * Replaces the element at {@code i}.
     *
     * @param i the position
     * @param value a number, boolean, string, byte array or null that fits the position's room
     * @return the element it replaced
     * @throws IllegalArgumentException if the value is of another type, or does not fit
     */
    public Object set(int i, Object value) {
        long p = position(i);
        int room = (int) Segment.INT.get(memory, p + ROOM);
        byte[] bytes = encode(value, i);
        if (bytes != null && bytes.length > room) {
            throw new IllegalArgumentException(
                    "position "
                            + i
                            + " of this SharedList has room for "
                            + room
                            + " bytes, and "
                            + describe(value)
                            + " takes "
                            + bytes.length
                            + ": a shared list cannot grow; create it with a longer value there");
        }
        try {
            long seq = enter(p);
            Object old = read(p);
            write(p, value, bytes);
            Segment.LONG.setRelease(memory, p + SEQ, seq + 1);
            return old;
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * Makes the position's word odd (its writer's turn), waiting for another writer; returns it.
     */
    private long enter(long p) {
        long began = 0;
        while (true) {
            long seq = (long) Segment.LONG.getVolatile(memory, p + SEQ);
            if ((seq & 1) == 0) {
                if (Segment.LONG.compareAndSet(memory, p + SEQ, seq, seq + 1)) {
                    return seq + 1;
                }
            } else if (began == 0) {
                began = System.nanoTime();
            } else if (System.nanoTime() - began > STUCK_MILLIS * 1_000_000L) {
                long mine = takeOver(p, seq);
                if (mine > 0) {
                    return mine;
                }
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Takes over a position whose writer left its word odd (it died writing): the word moves on by
     * two, still odd, now this thread's, and the half-written value becomes null. Returns the new
     * word, or -1 if another thread took it over first.
     */
    private long takeOver(long p, long seq) {
        if (!Segment.LONG.compareAndSet(memory, p + SEQ, seq, seq + 2)) {
            return -1;
        }
        Segment.INT.set(memory, p + TYPE, NULL);
        return seq + 2;
    }

    private Object read(long p) {
        int type = (int) Segment.INT.get(memory, p + TYPE);
        return switch (type) {
            case NULL -> null;
            case LONG -> (long) Segment.LONG.get(memory, p + DATA);
            case INT -> (int) (long) Segment.LONG.get(memory, p + DATA);
            case DOUBLE -> Double.longBitsToDouble((long) Segment.LONG.get(memory, p + DATA));
            case BOOLEAN -> (long) Segment.LONG.get(memory, p + DATA) != 0;
            case STRING, BYTES -> {
                int n =
                        Math.clamp(
                                (int) Segment.INT.get(memory, p + LENGTH),
                                0,
                                (int) Segment.INT.get(memory, p + ROOM));
                byte[] b = memory.asSlice(p + DATA, n).toArray(ValueLayout.JAVA_BYTE);
                yield type == STRING ? new String(b, StandardCharsets.UTF_8) : b;
            }
            default -> throw new IllegalStateException("a shared list is damaged: type " + type);
        };
    }

    private void write(long p, Object value, byte[] bytes) {
        switch (value) {
            case null -> Segment.INT.set(memory, p + TYPE, NULL);
            case Long l -> number(p, LONG, l);
            case Integer n -> number(p, INT, n);
            case Double d -> number(p, DOUBLE, Double.doubleToRawLongBits(d));
            case Boolean b -> number(p, BOOLEAN, b ? 1 : 0);
            default -> {
                memory.asSlice(p + DATA, bytes.length).copyFrom(MemorySegment.ofArray(bytes));
                Segment.INT.set(memory, p + LENGTH, bytes.length);
                Segment.INT.set(memory, p + TYPE, value instanceof String ? STRING : BYTES);
            }
        }
    }

    private void number(long p, int type, long bits) {
        Segment.LONG.set(memory, p + DATA, bits);
        Segment.INT.set(memory, p + TYPE, type);
    }

    /** The bytes of a string or byte array, null for a number; throws for another type. */
    private static byte[] encode(Object v, int i) {
        return switch (v) {
            case null -> null;
            case Long l -> null;
            case Integer n -> null;
            case Double d -> null;
            case Boolean b -> null;
            case String s -> s.getBytes(StandardCharsets.UTF_8);
            case byte[] b -> b.clone();
            default ->
                    throw new IllegalArgumentException(
                            "position "
                                    + i
                                    + ": a SharedList holds Long, Integer, Double, Boolean, String,"
                                    + " byte[] or null, not "
                                    + v.getClass().getName()
                                    + "; for other objects use a SharedQueue or a SharedMap");
        };
    }

    /**
     * The room a position needs for its first value: 8 for numbers, else its bytes rounded up to 8.
     */
    private static int room(Object v, int i) {
        byte[] b = encode(v, i);
        return b == null ? 8 : Math.max(8, (b.length + 7) & ~7);
    }

    private static String describe(Object v) {
        return v instanceof String s
                ? "a string of " + s.length() + " characters"
                : "a byte array of " + ((byte[]) v).length;
    }

    /** Where position {@code i} starts in the memory (package-private for tests). */
    long position(int i) {
        if (i < 0 || i >= at.length) {
            throw new IndexOutOfBoundsException(
                    "position " + i + " of a SharedList of " + at.length);
        }
        return at[i];
    }

    /**
     * Returns the elements now, each read on its own (a position may change while others are read).
     *
     * @return a new list
     */
    public List<Object> snapshot() {
        Object[] out = new Object[at.length];
        Arrays.setAll(out, this::get);
        return Arrays.asList(out);
    }

    /**
     * Returns a fixed-size {@link List} view: {@code get} and {@code set} go to the shared memory;
     * {@code add} and {@code remove} throw {@link UnsupportedOperationException}.
     *
     * @return the view
     */
    public List<Object> asList() {
        return view;
    }

    private final class View extends AbstractList<Object> implements RandomAccess {
        @Override
        public Object get(int i) {
            return SharedList.this.get(i);
        }

        @Override
        public Object set(int i, Object v) {
            return SharedList.this.set(i, v);
        }

        @Override
        public int size() {
            return at.length;
        }
    }
}
