package dev.forkwise.ipc;

import java.util.concurrent.locks.Lock;

/**
 * A shared lock that {@link SharedCondition}s wait on: it gives up all its holds while a thread
 * waits and takes them back after, whatever the lock's reentrancy.
 */
sealed interface ConditionLock extends Lock permits SharedLock, SharedReentrantLock {

    /** The lock's handle, for its segment, memory and name. */
    Handle handle();

    /** Whether any thread of any process holds the lock. */
    boolean isLocked();

    /** Whether the calling thread holds the lock. */
    boolean isHeldByCurrentThread();

    /**
     * Releases every hold the calling thread has.
     *
     * @return how many there were, for {@link #reacquire}
     * @throws IllegalMonitorStateException if it holds none
     */
    int releaseAll();

    /**
     * Takes the lock back with {@code holds} holds, waiting as long as it takes (uninterruptibly).
     */
    void reacquire(int holds);

    /** Condition {@code index} of this lock, one object per index in this JVM. */
    SharedCondition condition(int index);
}
