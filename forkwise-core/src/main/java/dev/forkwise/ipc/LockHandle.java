package dev.forkwise.ipc;

import java.util.concurrent.locks.Lock;

/**
 * What {@link SharedLock} and {@link SharedReentrantLock} share: the robust {@link Mutex} in their
 * memory, the news of a dead holder, the queries, and the conditions ({@link SharedCondition}),
 * which give up all of a thread's holds while it waits and take them back after.
 */
abstract sealed class LockHandle extends Handle implements Lock
        permits SharedLock, SharedReentrantLock {

    final transient Mutex mutex;
    private final transient Conditions conditions = new Conditions(this);

    /**
     * The current holder of this JVM took the lock over from a dead one; only that holder reads it.
     */
    transient volatile boolean ownerDied;

    LockHandle(Segment s) {
        super(s);
        this.mutex = new Mutex(memory, LockDescriptor.MUTEX_OFFSET);
    }

    /**
     * Releases every hold the calling thread has.
     *
     * @return how many there were, for {@link #reacquire}
     * @throws IllegalMonitorStateException if it holds none
     */
    abstract int releaseAll();

    /**
     * Takes the lock back with {@code holds} holds, waiting as long as it takes (uninterruptibly).
     */
    abstract void reacquire(int holds);

    /**
     * Whether the calling thread holds this lock and took it over from a holder that died holding
     * it; true until it releases it.
     *
     * @return whether the last holder died holding it
     */
    public boolean ownerDied() {
        try {
            return ownerDied && mutex.heldByMe();
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * Returns whether the calling thread holds this lock.
     *
     * @return whether it does
     */
    public boolean isHeldByCurrentThread() {
        try {
            return mutex.heldByMe();
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * Returns whether any thread of any process holds this lock.
     *
     * @return whether it is held
     */
    public boolean isLocked() {
        try {
            return mutex.held();
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * Returns how many times a holder has died holding this lock and the lock was taken over.
     *
     * @return the count
     */
    public long takeOvers() {
        try {
            return mutex.takeOvers();
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    /**
     * Makes a new condition of this lock, which threads of any process can wait on and signal
     * (Python's {@code multiprocessing.Condition}); waiting gives up all the thread's holds and
     * takes them back after. At most {@value LockDescriptor#CONDITIONS} per lock.
     *
     * @return the condition
     * @throws IllegalStateException if the lock already has that many
     */
    @Override
    public SharedCondition newCondition() {
        return conditions.create();
    }

    /** Condition {@code index} of this lock, one object per index in this JVM. */
    final SharedCondition condition(int index) {
        return conditions.get(index);
    }
}
