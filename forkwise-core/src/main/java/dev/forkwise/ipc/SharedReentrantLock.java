package dev.forkwise.ipc;

import java.io.Serial;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A reentrant lock across threads and processes (Python's {@code multiprocessing.RLock}): the
 * thread that holds it may lock it again, and must unlock it as many times. Like {@link SharedLock}
 * in everything else: a holder that dies holding it (however many times) leaves it to the next
 * thread that waits, which holds it once and is told ({@link #ownerDied()}), and it has conditions
 * ({@link #newCondition()}) that give up all its holds while a thread waits.
 *
 * {@snippet :
 * try (SharedReentrantLock lock = SharedReentrantLock.create()) {
 *     pool.submit(() -> {
 *         lock.lock();
 *         try {
 *             update(lock); // which may lock it again
 *         } finally {
 *             lock.unlock();
 *         }
 *         return null;
 *     });
 * }
 * }
 *
 * <p>The hold count lives beside the mutex in the lock's shared memory ({@link LockDescriptor}) and
 * only the holder writes it. Memory consistency effects: as {@link SharedLock}'s.
 */
public final class SharedReentrantLock extends LockHandle {

    @Serial private static final long serialVersionUID = 1L;

    SharedReentrantLock(Segment s) {
        super(s);
    }

    /**
     * Creates an unlocked lock, owned by the calling process.
     *
     * @return the lock
     */
    public static SharedReentrantLock create() {
        return new SharedReentrantLock(
                newSegment(Segment.Kind.RLOCK, LockDescriptor.PAYLOAD_LENGTH));
    }

    /** Takes the lock, or one more hold if this thread has it; waits as long as it takes. */
    @Override
    public void lock() {
        if (again()) {
            return;
        }
        try {
            took(mutex.acquire(-1, false), 1);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible wait was interrupted", e);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (again()) {
            return;
        }
        try {
            took(mutex.acquire(-1, true), 1);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    @Override
    public boolean tryLock() {
        if (again()) {
            return true;
        }
        try {
            return took(mutex.tryAcquireNow(), 1);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * Waits up to {@code timeout} for the lock; returns whether it was taken.
     *
     * @param timeout the longest wait
     * @return whether this thread holds it now
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean tryLock(Duration timeout) throws InterruptedException {
        return tryLock(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        if (again()) {
            return true;
        }
        try {
            return took(mutex.acquire(Math.max(0, unit.toNanos(time)), true), 1);
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /** One more hold for a thread that has the lock; false if it does not. */
    private boolean again() {
        try {
            if (!mutex.heldByMe()) {
                return false;
            }
            setHolds(holds() + 1);
            return true;
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    private boolean took(int how, int holds) {
        if (how == Mutex.TIMED_OUT) {
            return false;
        }
        ownerDied = how == Mutex.OWNER_DIED;
        setHolds(holds); // a dead holder's count goes with it
        return true;
    }

    /**
     * Gives up one hold; the last one releases the lock.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold it
     */
    @Override
    public void unlock() {
        try {
            if (!mutex.heldByMe()) {
                throw new IllegalMonitorStateException(
                        "the calling thread does not hold this lock");
            }
            long n = holds();
            if (n > 1) {
                setHolds(n - 1);
                return;
            }
            setHolds(0);
            ownerDied = false;
            mutex.release();
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * Returns how many times the calling thread holds this lock.
     *
     * @return 0 if it does not hold it
     */
    public int getHoldCount() {
        try {
            return mutex.heldByMe() ? (int) holds() : 0;
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    @Override
    int releaseAll() {
        if (!mutex.heldByMe()) {
            throw new IllegalMonitorStateException("the calling thread does not hold this lock");
        }
        int n = (int) holds();
        setHolds(0);
        ownerDied = false;
        mutex.release();
        return n;
    }

    @Override
    void reacquire(int holds) {
        try {
            took(mutex.acquire(-1, false), holds);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible wait was interrupted", e);
        }
    }

    private long holds() {
        return (long) Segment.LONG.get(memory, LockDescriptor.HOLDS_OFFSET);
    }

    private void setHolds(long n) {
        Segment.LONG.set(memory, LockDescriptor.HOLDS_OFFSET, n);
    }
}
