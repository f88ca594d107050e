package dev.forkwise.ipc;

/**
 * The layout of a {@link SharedLock}'s or {@link SharedReentrantLock}'s payload: the mutex, the
 * holder's hold count, how many conditions have been made, then the conditions' tables. A condition
 * is a ticket counter and {@link #SLOTS} waiter slots; a slot is the waiting thread's owner word,
 * its process's start time, its ticket, its state and when it was signalled.
 */
final class LockDescriptor {

    static final long MUTEX_OFFSET = SegmentDescriptor.HEADER_LENGTH;

    /**
     * How many times the holder holds it (a reentrant lock's count); written only by the holder.
     */
    static final long HOLDS_OFFSET = MUTEX_OFFSET + MutexDescriptor.LENGTH;

    /** How many of the {@link #CONDITIONS} tables are in use. */
    static final long CONDITION_COUNT_OFFSET = HOLDS_OFFSET + 64;

    static final long CONDITIONS_OFFSET = CONDITION_COUNT_OFFSET + 64;

    /** The most conditions one lock has. */
    static final int CONDITIONS = 4;

    /** The most threads (of all processes) that wait on one condition at once. */
    static final int SLOTS = 64;

    /** Within a condition: the last ticket given to a waiter. */
    static final long TICKET_OFFSET = 0;

    static final long SLOTS_OFFSET = 64;

    /** Within a slot: the waiting thread's owner word, 0 when the slot is free. */
    static final long SLOT_OWNER_OFFSET = 0;

    static final long SLOT_START_OFFSET = SLOT_OWNER_OFFSET + Long.BYTES;
    static final long SLOT_TICKET_OFFSET = SLOT_START_OFFSET + Long.BYTES;

    /** Within a slot: {@link #WAITING} or {@link #SIGNALLED}; 0 when free. */
    static final long SLOT_STATE_OFFSET = SLOT_TICKET_OFFSET + Long.BYTES;

    /**
     * Within a slot: when it was signalled, in wall-clock milliseconds (shared by all processes).
     */
    static final long SLOT_SIGNALLED_AT_OFFSET = SLOT_STATE_OFFSET + Long.BYTES;

    /** A slot takes a cache line: a waiter watching its own shares the line with no other. */
    static final long SLOT_LENGTH = 64;

    static final long CONDITION_LENGTH = SLOTS_OFFSET + SLOTS * SLOT_LENGTH;

    static final long WAITING = 1;
    static final long SIGNALLED = 2;

    /** The waiter has seen its signal and is taking the lock back. */
    static final long WOKEN = 3;

    /** The payload a lock takes (everything after the segment header). */
    static final long PAYLOAD_LENGTH =
            CONDITIONS_OFFSET + CONDITIONS * CONDITION_LENGTH - SegmentDescriptor.HEADER_LENGTH;

    private LockDescriptor() {}

    /** Where condition {@code c}'s table starts. */
    static long condition(int c) {
        return CONDITIONS_OFFSET + c * CONDITION_LENGTH;
    }

    /** Where slot {@code s} of condition {@code c} starts. */
    static long slot(int c, int s) {
        return condition(c) + SLOTS_OFFSET + s * SLOT_LENGTH;
    }
}
