package dev.forkwise.ipc;

import dev.forkwise.codec.Messages;
import dev.forkwise.shm.IdleStrategy;

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
 * <p><b>Joining</b> (Python's {@code JoinableQueue}). A consumer calls {@link #taskDone()} when it
 * has finished with an element it took; {@link #join()} waits until every element ever put has been
 * marked done. {@code taskDone()} counts against the elements taken in the calling process: call it
 * where the element was taken. A consumer process that dies with elements it took and had not
 * marked done does not make {@code join()} wait for ever: the waiting {@code join()} finds the dead
 * process (it looks every 50 ms while it waits), counts its elements as lost ({@link #tasksLost()})
 * and returns once the rest are done. (Python's {@code join()} waits for ever then.)
 *
 * <p>Memory consistency effects: actions in a thread before it puts an element happen before
 * actions in the thread that takes that element, after the take; actions before a {@code
 * taskDone()} happen before the return of the {@code join()} it lets return.
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

    /** Counts a take for {@link #join()}: runs under the ring's mutex as the take commits. */
    private final transient Runnable counted = this::countTaken;

    /** This process's row of the takers table, once it has taken something; -1 before. */
    private transient volatile int mine = -1;

    SharedQueue(Segment s) {
        super(s);
        this.ring = new Ring(memory, QueueDescriptor.RING_OFFSET);
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
        Segment s =
                newSegment(Segment.Kind.QUEUE, QueueDescriptor.payload(Ring.bytes(bufferBytes)));
        Ring.format(s.memory, QueueDescriptor.RING_OFFSET, capacity, bufferBytes);
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
            return decode(ring.take(-1, null, counted));
        } catch (IllegalStateException x) {
            throw closed(x);
        }
    }

    /** Takes the oldest element if there is one now; null if the queue is empty. */
    public T poll() {
        try {
            byte[] b = ring.tryTake(counted);
            return b == null ? null : decode(b);
        } catch (IllegalStateException x) {
            throw closed(x);
        }
    }

    /** Takes the oldest element, waiting up to {@code timeout}; null if none came. */
    public T poll(Duration timeout) throws InterruptedException {
        try {
            byte[] b = ring.take(Math.max(0, timeout.toNanos()), null, counted);
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

    /**
     * Marks one element this process took as done (Python's {@code task_done()}).
     *
     * @throws IllegalStateException if every element taken in this process is already marked done
     */
    public void taskDone() {
        try {
            int row = mine;
            if (row >= 0) {
                long at = QueueDescriptor.taker(row);
                while (true) {
                    long done =
                            (long)
                                    Segment.LONG.getVolatile(
                                            memory, at + QueueDescriptor.TAKER_DONE_OFFSET);
                    long taken =
                            (long)
                                    Segment.LONG.getVolatile(
                                            memory, at + QueueDescriptor.TAKER_COUNT_OFFSET);
                    if (done >= taken) {
                        break;
                    }
                    if (Segment.LONG.compareAndSet(
                            memory, at + QueueDescriptor.TAKER_DONE_OFFSET, done, done + 1)) {
                        return;
                    }
                }
            }
            throw new IllegalStateException(
                    "taskDone() called more times than elements were taken in this process: call it"
                            + " once per element, in the process that took it");
        } catch (IllegalStateException x) {
            throw closed(x);
        }
    }

    /**
     * Waits until every element put has been marked done with {@link #taskDone()}, or was taken by
     * a process that died before marking it (see the class comment).
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void join() throws InterruptedException {
        join(-1);
    }

    /**
     * Like {@link #join()}, waiting up to {@code timeout}.
     *
     * @param timeout the longest wait
     * @return whether every element is done (false: the time ran out first)
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean join(Duration timeout) throws InterruptedException {
        return join(Math.max(0, timeout.toNanos()));
    }

    private boolean join(long nanos) throws InterruptedException {
        try {
            long began = System.nanoTime();
            long nextCheck = began;
            IdleStrategy idle = IdleStrategy.forPrimitives();
            while (unfinished() > 0) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                long now = System.nanoTime();
                if (idle.parking() && now - nextCheck >= 0) {
                    nextCheck = now + Mutex.CHECK_NANOS;
                    retireDead();
                    continue;
                }
                if (nanos >= 0 && now - began >= nanos) {
                    retireDead();
                    return unfinished() <= 0;
                }
                idle.idle();
            }
            return true;
        } catch (IllegalStateException x) {
            throw closed(x);
        }
    }

    /**
     * Returns how many elements put have not been marked done (nor lost with a dead taker), in all
     * processes.
     *
     * @return the count; 0 when a {@link #join()} would return
     */
    public long unfinishedTasks() {
        return Math.max(0, unfinished());
    }

    /**
     * Returns how many elements were taken by a process that died before marking them done, as
     * {@link #join()} found them.
     *
     * @return the count
     */
    public long tasksLost() {
        return (long) Segment.LONG.getVolatile(memory, QueueDescriptor.LOST_OFFSET);
    }

    /** Elements put, less those done and those lost; may dip below 0 after a taker's death. */
    private long unfinished() {
        long settled =
                (long) Segment.LONG.getVolatile(memory, QueueDescriptor.DONE_OFFSET)
                        + (long) Segment.LONG.getVolatile(memory, QueueDescriptor.LOST_OFFSET);
        for (int i = 0; i < QueueDescriptor.TAKERS; i++) {
            settled +=
                    (long)
                            Segment.LONG.getVolatile(
                                    memory,
                                    QueueDescriptor.taker(i) + QueueDescriptor.TAKER_DONE_OFFSET);
        }
        return (int) (ring.written() - (int) settled); // the write count wraps at 2^32
    }

    /**
     * Frees the rows of takers whose process died: their done count stays done, the rest is lost.
     */
    private void retireDead() {
        for (int i = 0; i < QueueDescriptor.TAKERS; i++) {
            long at = QueueDescriptor.taker(i);
            long pid =
                    (long) Segment.LONG.getVolatile(memory, at + QueueDescriptor.TAKER_PID_OFFSET);
            long start =
                    (long)
                            Segment.LONG.getVolatile(
                                    memory, at + QueueDescriptor.TAKER_START_OFFSET);
            if (pid <= 0 || Owners.alive(pid, start)) {
                continue;
            }
            // claim the row for the retirement (-pid), so two joiners do not both count it
            if (!Segment.LONG.compareAndSet(
                    memory, at + QueueDescriptor.TAKER_PID_OFFSET, pid, -pid)) {
                continue;
            }
            long taken =
                    (long)
                            Segment.LONG.getVolatile(
                                    memory, at + QueueDescriptor.TAKER_COUNT_OFFSET);
            long done =
                    (long) Segment.LONG.getVolatile(memory, at + QueueDescriptor.TAKER_DONE_OFFSET);
            // the row's done count leaves the sum before the totals take it: a joiner summing
            // meanwhile sees too little done and waits on, never too much and returns early
            Segment.LONG.setVolatile(memory, at + QueueDescriptor.TAKER_DONE_OFFSET, 0L);
            Segment.LONG.setVolatile(memory, at + QueueDescriptor.TAKER_COUNT_OFFSET, 0L);
            Segment.LONG.getAndAdd(memory, QueueDescriptor.LOST_OFFSET, Math.max(0, taken - done));
            Segment.LONG.getAndAdd(memory, QueueDescriptor.DONE_OFFSET, done);
            Segment.LONG.setVolatile(memory, at + QueueDescriptor.TAKER_START_OFFSET, 0L);
            Segment.LONG.setVolatile(memory, at + QueueDescriptor.TAKER_PID_OFFSET, 0L);
        }
    }

    /**
     * Counts one element taken by this process; under the ring's mutex, before the take commits.
     */
    private void countTaken() {
        int row = mine;
        if (row < 0) {
            row = claimRow();
        }
        Segment.LONG.getAndAdd(
                memory, QueueDescriptor.taker(row) + QueueDescriptor.TAKER_COUNT_OFFSET, 1L);
    }

    /** This process's row of the takers table, claimed on its first take. */
    private synchronized int claimRow() {
        if (mine >= 0) {
            return mine;
        }
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < QueueDescriptor.TAKERS; i++) {
                long at = QueueDescriptor.taker(i);
                long pid =
                        (long)
                                Segment.LONG.getVolatile(
                                        memory, at + QueueDescriptor.TAKER_PID_OFFSET);
                if (pid == Owners.PID
                        && (long)
                                        Segment.LONG.getVolatile(
                                                memory, at + QueueDescriptor.TAKER_START_OFFSET)
                                == Owners.START) {
                    mine = i; // this process's row, claimed through another handle of the queue
                    return i;
                }
                if (pid == 0
                        && Segment.LONG.compareAndSet(
                                memory, at + QueueDescriptor.TAKER_PID_OFFSET, 0L, Owners.PID)) {
                    Segment.LONG.setVolatile(
                            memory, at + QueueDescriptor.TAKER_START_OFFSET, Owners.START);
                    mine = i;
                    return i;
                }
            }
            retireDead(); // every row taken: free those of dead takers and look again
        }
        throw new IllegalStateException(
                "more than "
                        + QueueDescriptor.TAKERS
                        + " live processes have taken elements from this queue");
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
