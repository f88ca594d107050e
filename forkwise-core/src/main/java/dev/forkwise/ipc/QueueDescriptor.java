package dev.forkwise.ipc;

/**
 * The layout of a {@link SharedQueue}'s payload: the join accounting (elements marked done,
 * elements lost with a dead consumer, and a table of the processes that have taken elements not yet
 * marked done), then the {@link Ring} of elements.
 */
final class QueueDescriptor {

    /** Elements marked done by takers whose rows were since freed (their process died), ever. */
    static final long DONE_OFFSET = SegmentDescriptor.HEADER_LENGTH;

    /** Elements taken by a process that died before marking them done, ever. */
    static final long LOST_OFFSET = DONE_OFFSET + 64;

    static final long TAKERS_OFFSET = LOST_OFFSET + 64;

    /** The most processes with elements taken and not yet marked done at once. */
    static final int TAKERS = 64;

    /**
     * Within a taker: its pid (0: free; negative while a joiner frees the row of a dead one), its
     * start time, how many elements it has taken, and how many of those it has marked done; only
     * the taker changes its counts.
     */
    static final long TAKER_PID_OFFSET = 0;

    static final long TAKER_START_OFFSET = TAKER_PID_OFFSET + Long.BYTES;
    static final long TAKER_COUNT_OFFSET = TAKER_START_OFFSET + Long.BYTES;
    static final long TAKER_DONE_OFFSET = TAKER_COUNT_OFFSET + Long.BYTES;
    static final long TAKER_LENGTH = 32;
    static final long RING_OFFSET = TAKERS_OFFSET + TAKERS * TAKER_LENGTH;

    private QueueDescriptor() {}

    /** Where taker {@code i} starts. */
    static long taker(int i) {
        return TAKERS_OFFSET + i * TAKER_LENGTH;
    }

    /** The payload of a queue whose ring has {@code ringBytes}. */
    static long payload(long ringBytes) {
        return RING_OFFSET - SegmentDescriptor.HEADER_LENGTH + ringBytes;
    }
}
