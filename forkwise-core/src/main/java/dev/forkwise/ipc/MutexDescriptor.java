package dev.forkwise.ipc;

/** The layout of a {@link Mutex}: three words, padded to a cache line of its own. */
final class MutexDescriptor {

    /** The holder's word (pid and thread), 0 when free. */
    static final long OWNER_OFFSET = 0;

    /** The holder's process start time, which tells its pid's process from a later one. */
    static final long START_OFFSET = OWNER_OFFSET + Long.BYTES;

    /** How many times a dead holder's lock was taken over. */
    static final long DEATHS_OFFSET = START_OFFSET + Long.BYTES;

    /** Bytes a mutex takes, padded to a cache line. */
    static final long LENGTH = 64;

    private MutexDescriptor() {}
}
