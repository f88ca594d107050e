package dev.forkwise.ipc;

import dev.forkwise.shm.IdleStrategy;

import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A condition of a {@link SharedLock} or {@link SharedReentrantLock} (Python's {@code
 * multiprocessing.Condition}): threads of any process wait on it until another signals, with the
 * lock released meanwhile. Made by the lock's {@code newCondition()}; serializable, so a task can
 * capture it (with its lock) and wait or signal in a worker JVM.
 *
 * {@snippet :
 * try (SharedLock lock = SharedLock.create(); SharedLong items = SharedLong.create(0)) {
 *     SharedCondition ready = lock.newCondition();
 *     pool.submit(() -> { // a consumer, in a worker JVM
 *         lock.lock();
 *         try {
 *             while (items.get() == 0) {
 *                 ready.await(5, TimeUnit.SECONDS);
 *             }
 *             items.decrementAndGet();
 *         } finally {
 *             lock.unlock();
 *         }
 *         return null;
 *     });
 *     lock.lock();
 *     try {
 *         items.incrementAndGet();
 *         ready.signal();
 *     } finally {
 *         lock.unlock();
 *     }
 * }
 * }
 *
 * <h2>Implementation overview</h2>
 *
 * <p>The condition is a table in the lock's shared memory ({@link LockDescriptor}): a ticket
 * counter and {@value LockDescriptor#SLOTS} waiter slots. Every change to the table is made by a
 * thread that holds the lock. A waiter takes the next ticket and a free slot ({@code WAITING}),
 * releases the lock and watches its slot's state without it ({@link IdleStrategy}). {@code
 * signal()} marks the {@code WAITING} slot with the lowest ticket {@code SIGNALLED}, so waiters are
 * woken in the order they came; {@code signalAll()} marks them all. A woken waiter takes the lock
 * back and frees its slot under it. A waiter that timed out or was interrupted frees its slot under
 * the lock too, and if a signal reached it first it counts as signalled: a signal is never given to
 * a slot nobody watches, so none is lost.
 *
 * <p><b>Death.</b> A waiter whose process dies leaves its slot, and {@code signal()} does not read
 * {@code /proc} to see (that would cost more than the hand-off): it may signal the dead waiter's
 * slot. A live waiter marks its signal seen at once; a signal unseen for 50 ms whose waiter's
 * process is dead is taken back and given to the next live waiter, by the next {@code signal()} or
 * {@code await()}, or by a waiting thread itself (every 50 ms, when the lock is free), so a dead
 * waiter delays a signal by about 50 ms and never swallows it. A signaller that dies before it
 * signals wakes nobody: wait with a timeout and check the condition's predicate in a loop, as with
 * any {@link Condition}. A holder that dies holding the lock is handled by the lock (the next one
 * takes it over and is told), also for a waiter taking the lock back.
 *
 * <p>Memory consistency effects: as for the lock: actions before {@code signal()} (made under the
 * lock) happen before the woken waiter's return from {@code await}, which takes the lock back.
 */
public final class SharedCondition implements Condition, Serializable {

    @Serial private static final long serialVersionUID = 1L;

    private final transient LockHandle lock;
    private final transient int index;
    private final transient MemorySegment memory;

    SharedCondition(LockHandle lock, int index) {
        this.lock = lock;
        this.index = index;
        this.memory = lock.memory;
    }

    @Override
    public void await() throws InterruptedException {
        awaitNanos(-1, true);
    }

    @Override
    public void awaitUninterruptibly() {
        try {
            awaitNanos(-1, false);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible wait was interrupted", e);
        }
    }

    @Override
    public long awaitNanos(long nanosTimeout) throws InterruptedException {
        return awaitNanos(Math.max(0, nanosTimeout), true);
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        return awaitNanos(Math.max(0, unit.toNanos(time)), true) > 0;
    }

    /**
     * Waits until signalled or {@code timeout} passes.
     *
     * @param timeout the longest wait
     * @return whether it was signalled (false: the time ran out)
     * @throws InterruptedException if interrupted while waiting (the lock is held again)
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return awaitNanos(Math.max(0, timeout.toNanos()), true) > 0;
    }

    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        long ms = deadline.getTime() - System.currentTimeMillis();
        return awaitNanos(Math.max(0, TimeUnit.MILLISECONDS.toNanos(ms)), true) > 0;
    }

    /**
     * The one wait: {@code nanos < 0} waits for ever. Returns an estimate of the time left (at
     * least 1 when signalled, at most 0 when the time ran out), as {@link #awaitNanos(long)}.
     */
    private long awaitNanos(long nanos, boolean interruptible) throws InterruptedException {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException(
                    "await() needs the lock: call lock() first, and unlock() after");
        }
        long began = System.nanoTime();
        int slot = enter();
        int holds = lock.releaseAll();
        boolean interrupted = false;
        IdleStrategy idle = IdleStrategy.forPrimitives();
        long nextRepair = began + Mutex.CHECK_NANOS;
        try {
            while (true) {
                long st = state(slot);
                if (st == LockDescriptor.SIGNALLED) {
                    // seen: from now on no repair takes this signal back for another waiter
                    Segment.LONG.compareAndSet(
                            memory,
                            slotAt(slot) + LockDescriptor.SLOT_STATE_OFFSET,
                            st,
                            LockDescriptor.WOKEN);
                    break;
                }
                if (Thread.interrupted()) {
                    interrupted = true;
                    if (interruptible) {
                        break;
                    }
                }
                long now = System.nanoTime();
                if (nanos >= 0 && now - began >= nanos) {
                    break;
                }
                if (idle.parking() && now - nextRepair >= 0) {
                    nextRepair = now + Mutex.CHECK_NANOS;
                    repairIfFree(); // a signal a dead waiter got may be this one's
                }
                idle.idle();
            }
        } finally {
            lock.reacquire(holds);
        }
        boolean signalled = leave(slot);
        if (interrupted) {
            if (interruptible && !signalled) {
                throw new InterruptedException("interrupted while waiting on " + this);
            }
            Thread.currentThread().interrupt();
        }
        if (signalled) {
            return nanos < 0 ? Long.MAX_VALUE : Math.max(1, nanos - (System.nanoTime() - began));
        }
        return nanos - (System.nanoTime() - began);
    }

    /** Under the lock: takes a ticket and a slot, marked waiting; returns the slot. */
    private int enter() {
        long ticket = (long) Segment.LONG.get(memory, LockDescriptor.condition(index)) + 1;
        Segment.LONG.set(memory, LockDescriptor.condition(index), ticket);
        int free = -1;
        for (int pass = 0; pass < 2 && free < 0; pass++) {
            for (int s = 0; s < LockDescriptor.SLOTS; s++) {
                long at = LockDescriptor.slot(index, s);
                long owner = (long) Segment.LONG.get(memory, at + LockDescriptor.SLOT_OWNER_OFFSET);
                if (owner == 0) {
                    free = s;
                    break;
                }
                if (pass == 1 && deadOwner(at)) {
                    clear(at); // its waiter's process died: the slot is free again
                    free = s;
                    break;
                }
            }
        }
        if (free < 0) {
            throw new IllegalStateException(
                    "more than "
                            + LockDescriptor.SLOTS
                            + " threads wait on this condition at once; wait on more conditions,"
                            + " or with a SharedSemaphore");
        }
        long at = LockDescriptor.slot(index, free);
        Segment.LONG.set(memory, at + LockDescriptor.SLOT_START_OFFSET, Owners.START);
        Segment.LONG.set(memory, at + LockDescriptor.SLOT_TICKET_OFFSET, ticket);
        Segment.LONG.set(memory, at + LockDescriptor.SLOT_OWNER_OFFSET, Owners.me());
        Segment.LONG.setVolatile(
                memory, at + LockDescriptor.SLOT_STATE_OFFSET, LockDescriptor.WAITING);
        return free;
    }

    /** Under the lock again: frees the slot; returns whether a signal reached it. */
    private boolean leave(int slot) {
        long at = LockDescriptor.slot(index, slot);
        long st = state(slot);
        clear(at);
        return st == LockDescriptor.SIGNALLED || st == LockDescriptor.WOKEN;
    }

    private long state(int slot) {
        return (long)
                Segment.LONG.getVolatile(
                        memory,
                        LockDescriptor.slot(index, slot) + LockDescriptor.SLOT_STATE_OFFSET);
    }

    private void clear(long at) {
        Segment.LONG.setVolatile(memory, at + LockDescriptor.SLOT_STATE_OFFSET, 0L);
        Segment.LONG.set(memory, at + LockDescriptor.SLOT_OWNER_OFFSET, 0L);
    }

    private boolean deadOwner(long at) {
        long owner = (long) Segment.LONG.get(memory, at + LockDescriptor.SLOT_OWNER_OFFSET);
        long start = (long) Segment.LONG.get(memory, at + LockDescriptor.SLOT_START_OFFSET);
        return owner != 0 && Owners.dead(owner, start);
    }

    /**
     * Wakes the thread that has waited longest, in any process; nothing if none waits.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold the lock
     */
    @Override
    public void signal() {
        signal(false);
    }

    /**
     * Wakes every thread that waits, in every process.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold the lock
     */
    @Override
    public void signalAll() {
        signal(true);
    }

    private void signal(boolean all) {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException(
                    "signal() needs the lock: call lock() first, and unlock() after");
        }
        deliver(repair() + (all ? LockDescriptor.SLOTS : 1));
    }

    /**
     * Under the lock: marks up to {@code n} waiting slots signalled, lowest tickets first. No
     * liveness check on this path (it would cost a {@code /proc} read per signal): a slot whose
     * waiter died keeps its signal unseen, and {@link #repair} passes it on.
     */
    private void deliver(int n) {
        long now = System.currentTimeMillis();
        for (int k = 0; k < n; k++) {
            int oldest = -1;
            long oldestTicket = Long.MAX_VALUE;
            for (int s = 0; s < LockDescriptor.SLOTS; s++) {
                long at = slotAt(s);
                if ((long) Segment.LONG.get(memory, at + LockDescriptor.SLOT_STATE_OFFSET)
                        != LockDescriptor.WAITING) {
                    continue;
                }
                long ticket =
                        (long) Segment.LONG.get(memory, at + LockDescriptor.SLOT_TICKET_OFFSET);
                if (ticket < oldestTicket) {
                    oldestTicket = ticket;
                    oldest = s;
                }
            }
            if (oldest < 0) {
                return; // nobody (else) waits
            }
            long at = slotAt(oldest);
            Segment.LONG.set(memory, at + LockDescriptor.SLOT_SIGNALLED_AT_OFFSET, now);
            Segment.LONG.setVolatile(
                    memory, at + LockDescriptor.SLOT_STATE_OFFSET, LockDescriptor.SIGNALLED);
        }
    }

    /**
     * Under the lock: frees the slots whose signal has gone unseen for {@link Mutex#CHECK_NANOS} or
     * more because their waiter's process died, and returns how many signals they held, to be given
     * to live waiters instead. Slots signalled more recently, or held by live waiters, are left
     * alone.
     */
    private int repair() {
        long now = System.currentTimeMillis();
        long stale = TimeUnit.NANOSECONDS.toMillis(Mutex.CHECK_NANOS);
        int lost = 0;
        for (int s = 0; s < LockDescriptor.SLOTS; s++) {
            long at = slotAt(s);
            if ((long) Segment.LONG.get(memory, at + LockDescriptor.SLOT_STATE_OFFSET)
                            == LockDescriptor.SIGNALLED
                    && now
                                    - (long)
                                            Segment.LONG.get(
                                                    memory,
                                                    at + LockDescriptor.SLOT_SIGNALLED_AT_OFFSET)
                            >= stale
                    && deadOwner(at)) {
                clear(at);
                lost++;
            }
        }
        return lost;
    }

    /**
     * A waiter's own repair, if the lock is free right now: see {@link #repair}. (Not when a holder
     * died holding it: that take-over, and its news, belong to the lock's next real user.)
     */
    private void repairIfFree() {
        if (!lock.isLocked() && lock.tryLock()) {
            try {
                deliver(repair());
            } finally {
                lock.unlock();
            }
        }
    }

    private long slotAt(int slot) {
        return LockDescriptor.slot(index, slot);
    }

    /**
     * Returns how many threads wait on this condition now, in all processes; for diagnostics.
     *
     * @return the count
     */
    public int waiting() {
        int n = 0;
        for (int s = 0; s < LockDescriptor.SLOTS; s++) {
            if (state(s) == LockDescriptor.WAITING) {
                n++;
            }
        }
        return n;
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        Handle h = lock;
        return new Handle.Ref(h.segment.kind, h.segment.path.toString(), 1 + index);
    }

    @Override
    public String toString() {
        return "SharedCondition[" + index + " of " + lock + "]";
    }
}
