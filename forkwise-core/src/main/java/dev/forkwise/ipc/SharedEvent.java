package dev.forkwise.ipc;

import dev.forkwise.shm.IdleStrategy;

import java.io.Serial;
import java.time.Duration;

/**
 * A flag that processes wait for (Python's {@code multiprocessing.Event}): {@link #set()} wakes
 * every waiter, {@link #clear()} resets it. It has no holder, so no process's death can leave it
 * stuck; a waiter that must not wait for ever uses {@link #await(Duration)}.
 *
 * <p>Memory consistency effects: actions in a process before it calls {@link #set()} happen before
 * actions in a process after its {@link #await()} or {@link #isSet()} sees it set.
 */
public final class SharedEvent extends Handle {

    @Serial private static final long serialVersionUID = 1L;

    private static final long FLAG = Segment.HEADER;

    SharedEvent(Segment s) {
        super(s);
    }

    /** Creates an event that is not set, owned by the calling process. */
    public static SharedEvent create() {
        return new SharedEvent(newSegment(Segment.Kind.EVENT, 64));
    }

    public void set() {
        Segment.LONG.setVolatile(memory, FLAG, 1L);
    }

    public void clear() {
        Segment.LONG.setVolatile(memory, FLAG, 0L);
    }

    public boolean isSet() {
        return (long) Segment.LONG.getVolatile(memory, FLAG) != 0;
    }

    /** Waits until the event is set. */
    public void await() throws InterruptedException {
        await(-1);
    }

    /** Waits up to {@code timeout} for the event; returns whether it is set. */
    public boolean await(Duration timeout) throws InterruptedException {
        return await(Math.max(0, timeout.toNanos()));
    }

    private boolean await(long nanos) throws InterruptedException {
        long began = System.nanoTime();
        IdleStrategy b = IdleStrategy.forPrimitives();
        while (!isSet()) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (nanos >= 0 && System.nanoTime() - began >= nanos) {
                return false;
            }
            b.idle();
        }
        return true;
    }
}
