package dev.forkwise.ipc;

/**
 * The layout of a {@link Pipe}'s payload: each end's words (closed flag, holder pid, holder start
 * time), then the two rings, one per direction.
 */
final class PipeDescriptor {

    /** End a's words; end b's follow at {@link #END_LENGTH}. */
    static final long ENDS_OFFSET = SegmentDescriptor.HEADER_LENGTH;

    /** Within an end: 1 once the end is closed. */
    static final long CLOSED_OFFSET = 0;

    /** Within an end: the pid of the process that holds it, 0 before it arrives anywhere. */
    static final long HOLDER_PID_OFFSET = CLOSED_OFFSET + Long.BYTES;

    /** Within an end: that process's start time. */
    static final long HOLDER_START_OFFSET = HOLDER_PID_OFFSET + Long.BYTES;

    /** In end a's words: 1 for a one-way pipe (a receives, b sends), 0 for a two-way one. */
    static final long ONE_WAY_OFFSET = ENDS_OFFSET + HOLDER_START_OFFSET + Long.BYTES;

    /** Bytes of each end's words, a cache line. */
    static final long END_LENGTH = 64;

    /** Where the first ring starts; the second follows it. */
    static final long RINGS_OFFSET = ENDS_OFFSET + 2 * END_LENGTH;

    private PipeDescriptor() {}
}
