package dev.forkwise.ipc;

import dev.forkwise.codec.Messages;

import java.io.IOException;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * A bounded queue that many producers and many consumers in any processes share (Python's {@code
 * multiprocessing.Queue}), in shared memory.
 *
 * {@snippet :
 * try (SharedQueue<String> results = SharedQueue.create(1024)) {
 *     pool.submit(() -> { results.put("done by " + ProcessHandle.current().pid()); return null; });
 *     String first = results.take();
 * }
 * }
 *
 * <p>Elements are copied: {@code put} encodes the element (as a task's argument is encoded: plain
 * values directly, other objects by Java serialization behind forkwise's class filter) and {@code
 * take} decodes a new one. A queue holds up to {@code capacity} elements and up to its buffer's
 * bytes ({@link #create(int, int)}); an element larger than the buffer is refused at {@code put}.
 *
 * <p><b>No loss, no duplicates, no deadlock.</b> Every element put is taken exactly once. A
 * producer that dies inside {@code put} loses only the element it was putting; a consumer that dies
 * inside {@code take} loses at most the element it was taking; no other element is lost, and the
 * queue goes on for everyone else (see {@link Ring}). There is no feeder thread and no pipe behind
 * it, so a process that puts and exits never blocks on unread data (Python's "joining processes
 * that use queues" deadlock): a {@code put} that returned is in shared memory.
 *
 * <p>Memory consistency effects: actions in a thread before it puts an element happen before
 * actions in the thread that takes that element, after the take.
 *
 * @param <T> the element type
 */
public final class SharedQueue<T> extends Handle {

    @Serial private static final long serialVersionUID = 1L;

    /** The default buffer per queued element. */
    static final int BYTES_PER_ELEMENT = 1024;

    static final int MIN_BYTES = 64 * 1024;
    static final int DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

    private final transient Ring ring;

    SharedQueue(Segment s) {
        super(s);
        this.ring = new Ring(memory, Segment.HEADER);
    }

    /**
     * Creates a queue for up to {@code capacity} elements, with a buffer of {@code capacity} KiB
     * (at least 64 KiB, at most 64 MiB).
     */
    public static <T> SharedQueue<T> create(int capacity) {
        check(capacity);
        long bytes = Math.clamp((long) capacity * BYTES_PER_ELEMENT, MIN_BYTES, DEFAULT_MAX_BYTES);
        return create(capacity, (int) bytes);
    }

    /**
     * Creates a queue for up to {@code capacity} elements and {@code bufferBytes} bytes of encoded
     * elements (each takes its encoded size plus 4 bytes).
     */
    public static <T> SharedQueue<T> create(int capacity, int bufferBytes) {
        check(capacity);
        if (bufferBytes < 64) {
            throw new IllegalArgumentException(
                    "a queue's buffer must be at least 64 bytes, not " + bufferBytes);
        }
        Segment s = newSegment(Segment.Kind.QUEUE, Ring.bytes(bufferBytes));
        Ring.format(s.memory, Segment.HEADER, capacity, bufferBytes);
        return new SharedQueue<>(s);
    }

    private static void check(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException(
                    "a queue's capacity must be 1 or more, not " + capacity);
        }
    }

    /** Adds {@code e}, waiting for room. */
    public void put(T e) throws InterruptedException {
        try {
            Messages.Encoded b = encode(e);
            fits(b);
            ring.put(b.array(), b.length(), -1, null);
        } catch (IllegalStateException x) {
            throw closed(x);
        }
    }

    /** Adds {@code e} if there is room now; returns whether it did. */
    public boolean offer(T e) {
        try {
            Messages.Encoded b = encode(e);
            fits(b);
            return ring.tryPut(b.array(), b.length());
        } catch (IllegalStateException x) {
            throw closed(x);
        }
    }

    /** Adds {@code e}, waiting up to {@code timeout} for room; returns whether it did. */
    public boolean offer(T e, Duration timeout) throws InterruptedException {
        try {
            Messages.Encoded b = encode(e);
            fits(b);
            return ring.put(b.array(), b.length(), Math.max(0, timeout.toNanos()), null);
        } catch (IllegalStateException x) {
            throw closed(x);
        }
    }

    /** Takes the oldest element, waiting for one. */
    public T take() throws InterruptedException {
        try {
            return decode(ring.take(-1, null));
        } catch (IllegalStateException x) {
            throw closed(x);
        }
    }

    /** Takes the oldest element if there is one now; null if the queue is empty. */
    public T poll() {
        try {
            byte[] b = ring.tryTake();
            return b == null ? null : decode(b);
        } catch (IllegalStateException x) {
            throw closed(x);
        }
    }

    /** Takes the oldest element, waiting up to {@code timeout}; null if none came. */
    public T poll(Duration timeout) throws InterruptedException {
        try {
            byte[] b = ring.take(Math.max(0, timeout.toNanos()), null);
            return b == null ? null : decode(b);
        } catch (IllegalStateException x) {
            throw closed(x);
        }
    }

    /**
     * @return the number of elements in the queue now
     */
    public int size() {
        try {
            return ring.count();
        } catch (IllegalStateException x) {
            throw closed(x);
        }
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * @return the most elements the queue holds
     */
    public int capacity() {
        return ring.capacity();
    }

    private void fits(Messages.Encoded b) {
        if (b.length() > ring.maxRecord()) {
            throw new IllegalArgumentException(
                    "an element of "
                            + b.length()
                            + " encoded bytes does not fit in this queue's "
                            + ring.maxRecord()
                            + "-byte buffer; create it with SharedQueue.create(capacity,"
                            + " bufferBytes) and a larger buffer");
        }
    }

    static Messages.Encoded encode(Object e) {
        try {
            return Messages.encode(e);
        } catch (IOException x) {
            throw new IllegalArgumentException(
                    "cannot put "
                            + e.getClass().getName()
                            + " into shared memory: "
                            + x
                            + " (elements must be serializable, like a task's arguments)",
                    x);
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T decode(byte[] b) {
        try {
            return (T) Messages.decode(b);
        } catch (IOException | ClassNotFoundException x) {
            throw new UncheckedIOException(
                    "cannot read an element from shared memory: " + x,
                    x instanceof IOException io ? io : new IOException(x));
        }
    }
}
