package dev.forkwise.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lifecycle every backend and executor of forkwise shares, as an explicit state machine:
 *
 * <pre>
 *   NEW --start--> RUNNING --shutdown--> SHUTDOWN --nothing left to run--> TERMINATED
 *    \________________shutdown__________/^
 * </pre>
 *
 * <p>Moves go forward only. The state is guarded by the owner's lock (which the owner also uses for
 * its own state, so a move and what it depends on change together): {@link #state()}, {@link #is}
 * and {@link #advance} are called with that lock held; {@link #isShutdown()}, {@link
 * #isTerminated()} and {@link #awaitTermination} take it themselves, as {@link
 * java.util.concurrent.ExecutorService} callers expect.
 *
 * <p>Memory consistency effects: actions of the thread that moves to {@code TERMINATED} happen
 * before a successful return from {@link #awaitTermination} or {@link #isTerminated()}.
 */
public final class Lifecycle {

    /** Where an owner is in its life. */
    public enum State {
        /** Made, not started: takes no work yet. */
        NEW,
        /** Takes work. */
        RUNNING,
        /** Takes no new work; finishes what it has. */
        SHUTDOWN,
        /** Nothing left: final. */
        TERMINATED
    }

    private final ReentrantLock lock;
    private final Condition terminated;
    private State state;

    /**
     * @param lock the owner's lock, which guards this state
     * @param initial {@link State#NEW} for an owner that is started later, else {@link
     *     State#RUNNING}
     */
    public Lifecycle(ReentrantLock lock, State initial) {
        this.lock = lock;
        this.terminated = lock.newCondition();
        this.state = initial;
    }

    /**
     * @return the state; the caller holds the owner's lock
     */
    public State state() {
        assert lock.isHeldByCurrentThread();
        return state;
    }

    /**
     * @return whether the state is {@code s}; the caller holds the owner's lock
     */
    public boolean is(State s) {
        return state() == s;
    }

    /**
     * Moves forward to {@code to}; the caller holds the owner's lock. Moving to where it is, or
     * back, does nothing.
     *
     * @return whether the state changed
     */
    public boolean advance(State to) {
        if (state().compareTo(to) >= 0) {
            return false;
        }
        state = to;
        if (to == State.TERMINATED) {
            terminated.signalAll();
        }
        return true;
    }

    /**
     * @return whether shutdown has begun ({@link State#SHUTDOWN} or {@link State#TERMINATED})
     */
    public boolean isShutdown() {
        lock.lock();
        try {
            return state.compareTo(State.SHUTDOWN) >= 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * @return whether the owner has terminated
     */
    public boolean isTerminated() {
        lock.lock();
        try {
            return state == State.TERMINATED;
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code timeout} for termination; returns whether it came. */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (state != State.TERMINATED) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminated.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
