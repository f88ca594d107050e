package dev.forkwise.ipc;

import dev.forkwise.shm.IdleStrategy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A bounded ring of variable-length records in shared memory, for any number of writers and readers
 * in any processes: the body of {@link SharedQueue} and of each direction of a {@link Pipe}.
 *
 * <h2>Layout</h2>
 *
 * <p>As {@link RingDescriptor} computes it:
 *
 * <pre>
 *   +0    robust mutex ({@link Mutex})
 *   +64   head: readSeq  &lt;&lt; 32 | readOffset     (next record to read)
 *   +128  tail: writeSeq &lt;&lt; 32 | writeOffset    (where the next record goes)
 *   +192  capacity (records), data size (bytes)
 *   +256  data: records {@code int length, bytes}, wrapping at the end
 * </pre>
 *
 * <p>{@code writeSeq - readSeq} is the number of records in the ring, which tells a full ring from
 * an empty one when the offsets meet.
 *
 * <h2>Concurrency and failure</h2>
 *
 * <p>Writers and readers copy under the mutex; encoding and decoding happen outside it. A write
 * copies its record into free space, then publishes it with one release store of {@code tail}; a
 * read copies the record out, then frees it with one release store of {@code head}. So the ring is
 * consistent at every instant, and a process that dies holding the mutex (the mutex passes to the
 * next one, {@link Mutex#OWNER_DIED}) leaves either the whole record or nothing: a writer that dies
 * before its store loses only its own record; a reader that dies before its store leaves the record
 * for the next reader, and one that dies after it loses only the record it took. Nothing else is
 * lost and nothing is read twice.
 *
 * <p>A waiting writer or reader watches {@code head} or {@code tail} without the mutex and tries
 * again when it moves ({@link IdleStrategy}).
 *
 * <p>Memory consistency effects: actions in a thread before it writes a record happen before
 * actions in the thread that reads that record, after the read.
 */
final class Ring {

    /** Bytes before the data. */
    static final long HEADER = RingDescriptor.HEADER_LENGTH;

    /**
     * Something a waiting thread checks now and then (a peer's death); it throws to stop the wait.
     */
    interface Check {
        void check();
    }

    private static final ValueLayout.OfInt LE_INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment m;
    private final Mutex mutex;
    private final long head;
    private final long tail;
    private final long data;
    private final int capacity;
    private final int size;

    /** Lays out a new ring at {@code base} of zeroed memory. */
    static void format(MemorySegment m, long base, int capacity, int dataSize) {
        m.set(ValueLayout.JAVA_INT, base + RingDescriptor.CAPACITY_OFFSET, capacity);
        m.set(ValueLayout.JAVA_INT, base + RingDescriptor.DATA_SIZE_OFFSET, dataSize);
    }

    /**
     * @return the bytes a ring with {@code dataSize} bytes of data takes
     */
    static long bytes(int dataSize) {
        return HEADER + dataSize;
    }

    Ring(MemorySegment m, long base) {
        this.m = m;
        this.mutex = new Mutex(m, base + RingDescriptor.MUTEX_OFFSET);
        this.head = base + RingDescriptor.HEAD_OFFSET;
        this.tail = base + RingDescriptor.TAIL_OFFSET;
        this.capacity = m.get(ValueLayout.JAVA_INT, base + RingDescriptor.CAPACITY_OFFSET);
        this.size = m.get(ValueLayout.JAVA_INT, base + RingDescriptor.DATA_SIZE_OFFSET);
        this.data = base + HEADER;
        if (capacity <= 0
                || size <= RingDescriptor.RECORD_HEADER_LENGTH
                || data + size > m.byteSize()) {
            throw new IllegalStateException(
                    "a shared ring is damaged: capacity " + capacity + ", " + size + " data bytes");
        }
    }

    int capacity() {
        return capacity;
    }

    /**
     * @return the largest record that fits
     */
    int maxRecord() {
        return size - RingDescriptor.RECORD_HEADER_LENGTH;
    }

    /**
     * Returns how many records were ever put, modulo 2<sup>32</sup>.
     *
     * @return the write sequence
     */
    int written() {
        return (int) ((long) Segment.LONG.getVolatile(m, tail) >>> 32);
    }

    /**
     * @return the records in the ring now
     */
    int count() {
        long h = (long) Segment.LONG.getVolatile(m, head);
        long t = (long) Segment.LONG.getVolatile(m, tail);
        return Math.max(0, (int) ((t >>> 32) - (h >>> 32)));
    }

    /** Adds a record if there is room now. */
    boolean tryPut(byte[] b, int len) {
        lock();
        try {
            long h = (long) Segment.LONG.getVolatile(m, head);
            long t = (long) Segment.LONG.getVolatile(m, tail);
            int count = (int) ((t >>> 32) - (h >>> 32));
            int ho = (int) h;
            int to = (int) t;
            long used = count == 0 ? 0 : to > ho ? to - ho : size - ho + to;
            if (count >= capacity
                    || size - used < (long) RingDescriptor.RECORD_HEADER_LENGTH + len) {
                return false;
            }
            int at = writeInt(to, len);
            at = write(at, b, len);
            Segment.LONG.setRelease(m, tail, ((t >>> 32) + 1) << 32 | (at & 0xffff_ffffL));
            return true;
        } finally {
            mutex.release();
        }
    }

    /** Takes the oldest record if there is one now; null if empty. */
    byte[] tryTake() {
        return tryTake(null);
    }

    /**
     * Takes the oldest record if there is one now; null if empty. {@code taken}, if not null, runs
     * under the ring's mutex just before the take is committed, so that nothing else sees the
     * record gone before it has run, and a taker that dies in between has counted it.
     */
    byte[] tryTake(Runnable taken) {
        lock();
        try {
            long h = (long) Segment.LONG.getVolatile(m, head);
            long t = (long) Segment.LONG.getVolatile(m, tail);
            if ((t >>> 32) == (h >>> 32)) {
                return null;
            }
            int ho = (int) h;
            int len = readInt(ho);
            if (len < 0 || len > size - 4) {
                throw new IllegalStateException(
                        "a shared ring is damaged: a record of " + len + " bytes");
            }
            byte[] b = new byte[len];
            int at = read((ho + RingDescriptor.RECORD_HEADER_LENGTH) % size, b);
            if (taken != null) {
                taken.run(); // before the commit: a taker that dies between is counted, not missed
            }
            Segment.LONG.setRelease(m, head, ((h >>> 32) + 1) << 32 | (at & 0xffff_ffffL));
            return b;
        } finally {
            mutex.release();
        }
    }

    /** Adds a record, waiting up to {@code nanos} (negative: for ever) for room. */
    boolean put(byte[] b, int len, long nanos, Check check) throws InterruptedException {
        if (len > size - 4) {
            throw new IllegalArgumentException(
                    "a message of "
                            + len
                            + " bytes does not fit in "
                            + (size - 4)
                            + " bytes of shared buffer");
        }
        long began = System.nanoTime();
        long nextCheck = began;
        IdleStrategy backoff = IdleStrategy.forPrimitives();
        while (true) {
            long seen = (long) Segment.LONG.getVolatile(m, head);
            if (tryPut(b, len)) {
                return true;
            }
            while ((long) Segment.LONG.getVolatile(m, head) == seen) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                long now = System.nanoTime();
                if (nanos >= 0 && now - began >= nanos) {
                    return tryPut(b, len);
                }
                if (check != null && backoff.parking() && now - nextCheck >= 0) {
                    nextCheck = now + Mutex.CHECK_NANOS;
                    check.check();
                }
                backoff.idle();
            }
            backoff.reset(); // it moved: a fresh wait if this try loses the race
        }
    }

    /**
     * Takes the oldest record, waiting up to {@code nanos} (negative: for ever); null on timeout.
     */
    byte[] take(long nanos, Check check) throws InterruptedException {
        return take(nanos, check, null);
    }

    /**
     * Like {@link #take(long, Check)}, running {@code taken} as {@link #tryTake(Runnable)} does.
     */
    byte[] take(long nanos, Check check, Runnable taken) throws InterruptedException {
        long began = System.nanoTime();
        long nextCheck = began;
        IdleStrategy backoff = IdleStrategy.forPrimitives();
        while (true) {
            long seen = (long) Segment.LONG.getVolatile(m, tail);
            byte[] b =
                    (long) Segment.LONG.getVolatile(m, head) >>> 32 == seen >>> 32
                            ? null
                            : tryTake(taken);
            if (b != null) {
                return b;
            }
            while ((long) Segment.LONG.getVolatile(m, tail) == seen) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                long now = System.nanoTime();
                if (nanos >= 0 && now - began >= nanos) {
                    return tryTake(taken);
                }
                if (check != null && backoff.parking() && now - nextCheck >= 0) {
                    nextCheck = now + Mutex.CHECK_NANOS;
                    check.check();
                }
                backoff.idle();
            }
            backoff.reset(); // it moved: a fresh wait if this try loses the race
        }
    }

    /** Waits up to {@code nanos} until a record is there; returns whether one is. */
    boolean awaitRecord(long nanos, Check check) throws InterruptedException {
        long began = System.nanoTime();
        long nextCheck = began;
        IdleStrategy backoff = IdleStrategy.forPrimitives();
        while (count() == 0) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long now = System.nanoTime();
            if (nanos >= 0 && now - began >= nanos) {
                return false;
            }
            if (check != null && backoff.parking() && now - nextCheck >= 0) {
                nextCheck = now + Mutex.CHECK_NANOS;
                check.check();
            }
            backoff.idle();
        }
        return true;
    }

    private void lock() {
        try {
            mutex.acquire(-1, false);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        // a holder that died in here left the ring consistent (see the class comment): go on
    }

    private int writeInt(int at, int v) {
        if (at + RingDescriptor.RECORD_HEADER_LENGTH <= size) {
            m.set(LE_INT, data + at, v);
        } else {
            for (int i = 0; i < 4; i++) {
                m.set(ValueLayout.JAVA_BYTE, data + (at + i) % size, (byte) (v >>> (8 * i)));
            }
        }
        return (at + RingDescriptor.RECORD_HEADER_LENGTH) % size;
    }

    private int readInt(int at) {
        if (at + RingDescriptor.RECORD_HEADER_LENGTH <= size) {
            return m.get(LE_INT, data + at);
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (m.get(ValueLayout.JAVA_BYTE, data + (at + i) % size) & 0xff) << (8 * i);
        }
        return v;
    }

    private int write(int at, byte[] b, int len) {
        int first = Math.min(len, size - at);
        MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, data + at, first);
        if (first < len) {
            MemorySegment.copy(b, first, m, ValueLayout.JAVA_BYTE, data, len - first);
        }
        return (int) (((long) at + len) % size);
    }

    private int read(int at, byte[] b) {
        int len = b.length;
        int first = Math.min(len, size - at);
        MemorySegment.copy(m, ValueLayout.JAVA_BYTE, data + at, b, 0, first);
        if (first < len) {
            MemorySegment.copy(m, ValueLayout.JAVA_BYTE, data, b, first, len - first);
        }
        return (int) (((long) at + len) % size);
    }
}
