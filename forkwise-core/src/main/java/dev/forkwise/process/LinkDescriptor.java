package dev.forkwise.process;

/**
 * The layout of a {@link ShmLink} file: a header, then per direction a control block whose words
 * each have a cache line of their own, then the two data areas.
 */
final class LinkDescriptor {

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + Integer.BYTES;

    /** Data bytes of each direction, a power of two. */
    static final int RING_SIZE_OFFSET = VERSION_OFFSET + Integer.BYTES;

    /** The first direction's control block; the second follows at {@link #CONTROL_LENGTH}. */
    static final int CONTROL_OFFSET = 64;

    /** Within a control block: the writer's position, bytes written since the start. */
    static final int WRITE_POSITION_OFFSET = 0;

    /** Within a control block: the reader's position, bytes read since the start. */
    static final int READ_POSITION_OFFSET = WRITE_POSITION_OFFSET + 64;

    /** Within a control block: 1 while the reader sleeps on its socket. */
    static final int ASLEEP_OFFSET = READ_POSITION_OFFSET + 64;

    static final int CONTROL_LENGTH = ASLEEP_OFFSET + 128;

    /** The first direction's data; the second follows it. A page, so data starts page-aligned. */
    static final int DATA_OFFSET = 4096;

    private LinkDescriptor() {}

    /**
     * Returns where direction {@code d}'s control block starts.
     *
     * @param d the direction
     * @return the offset
     */
    static int control(int d) {
        return CONTROL_OFFSET + d * CONTROL_LENGTH;
    }
}
