package dev.forkwise.ipc;

/**
 * The layout of a shared segment's header ({@link Segment}): every offset computed once, here, from
 * the one before it. The header is the first cache line; the payload starts at {@link
 * #HEADER_LENGTH}.
 */
final class SegmentDescriptor {

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = MAGIC_OFFSET + Integer.BYTES;
    static final long KIND_OFFSET = VERSION_OFFSET + Integer.BYTES;
    static final long STATE_OFFSET = KIND_OFFSET + Integer.BYTES;
    static final long OWNER_PID_OFFSET = STATE_OFFSET + Integer.BYTES;
    static final long OWNER_START_OFFSET = OWNER_PID_OFFSET + Long.BYTES;
    static final long PAYLOAD_SIZE_OFFSET = OWNER_START_OFFSET + Long.BYTES;

    /** Bytes before the payload: one cache line. */
    static final long HEADER_LENGTH = 64;

    private SegmentDescriptor() {}
}
