package dev.forkwise.ipc;

/**
 * The layout of a {@link Ring}, from its base: the mutex, then the head and the tail words each on
 * a cache line of its own, then the sizes, then the data. A record in the data is its length (an
 * {@code int}) and its bytes, wrapping at the end.
 */
final class RingDescriptor {

    static final long MUTEX_OFFSET = 0;

    /** {@code readSeq << 32 | readOffset}: the next record to read. */
    static final long HEAD_OFFSET = MUTEX_OFFSET + MutexDescriptor.LENGTH;

    /** {@code writeSeq << 32 | writeOffset}: where the next record goes. */
    static final long TAIL_OFFSET = HEAD_OFFSET + 64;

    /** The most records, an {@code int}. */
    static final long CAPACITY_OFFSET = TAIL_OFFSET + 64;

    /** The data's size in bytes, an {@code int}. */
    static final long DATA_SIZE_OFFSET = CAPACITY_OFFSET + Integer.BYTES;

    /** Bytes before the data. */
    static final long HEADER_LENGTH = CAPACITY_OFFSET + 64;

    /** Bytes before each record's own bytes: its length. */
    static final int RECORD_HEADER_LENGTH = Integer.BYTES;

    private RingDescriptor() {}
}
