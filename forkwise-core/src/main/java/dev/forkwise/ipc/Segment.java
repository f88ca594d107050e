package dev.forkwise.ipc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * One shared-memory segment: a file in {@link SharedMemory#folder()} mapped into this process.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 *   0       4         8      12       16            24            32       40 ... 64
 *   +-------+---------+------+--------+-------------+-------------+--------+-- ... --+---------
 *   | magic | version | kind | state  |  owner pid  | owner start |  size  |         | payload
 *   +-------+---------+------+--------+-------------+-------------+--------+-- ... --+---------
 * </pre>
 *
 * <p>The header takes the first cache line; the payload starts at {@link #HEADER}, and each
 * primitive lays out its own words from there, hot words on their own cache lines. {@code state} is
 * {@code LIVE} until the owner closes the segment. Attaching checks magic, version and kind.
 *
 * <h2>Lifecycle</h2>
 *
 * <p>{@code OPEN → CLOSED}, once. The owner (the process that created it) deletes the file when it
 * closes; any other process that closes it only unmaps it. On Linux a deleted file stays valid for
 * those who still have it mapped, so closing never pulls memory from under another process; the
 * memory is freed when the last mapping goes. Closing unmaps through a shared {@link Arena}: a
 * thread of this JVM still using the segment then gets an {@link IllegalStateException}, never a
 * crash.
 */
final class Segment implements AutoCloseable {

    /** Bytes before the payload. */
    static final long HEADER = SegmentDescriptor.HEADER_LENGTH;

    /** The word all primitives use: {@code (MemorySegment, long offset)} to {@code long}. */
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    /** The same for {@code int}. */
    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private static final int MAGIC = 0x464b5753; // "FKWS"
    private static final int VERSION = 1;
    private static final int LIVE = 1;
    private static final int CLOSED = 2;

    /** What a segment holds; the name is the file's extension. */
    enum Kind {
        // new kinds go at the end: the kind's number is in every segment's header
        LONG,
        LONGS,
        INTS,
        DOUBLES,
        BYTES,
        LOCK,
        SEMAPHORE,
        EVENT,
        BARRIER,
        QUEUE,
        PIPE,
        INT,
        DOUBLE,
        RLOCK,
        LIST;

        String extension() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    final Path path;
    final Kind kind;
    final boolean owner;
    final MemorySegment memory;
    private final Arena arena;
    private boolean closed; // guarded by this

    /**
     * The handle object made for this segment in this JVM, so a handle that arrives again is the
     * same one.
     */
    volatile Object handle;

    private Segment(Path path, Kind kind, boolean owner, MemorySegment memory, Arena arena) {
        this.path = path;
        this.kind = kind;
        this.owner = owner;
        this.memory = memory;
        this.arena = arena;
    }

    /** Creates the file (0600) and maps it; the payload is zeroed. */
    static Segment create(Path path, Kind kind, long payload) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch =
                FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // whole words at the end, so an aligned int or long never reaches past the file
            MemorySegment m =
                    ch.map(
                            FileChannel.MapMode.READ_WRITE,
                            0,
                            HEADER + ((payload + 7) & ~7L),
                            arena);
            m.set(ValueLayout.JAVA_INT, SegmentDescriptor.VERSION_OFFSET, VERSION);
            m.set(ValueLayout.JAVA_INT, SegmentDescriptor.KIND_OFFSET, kind.ordinal());
            m.set(ValueLayout.JAVA_LONG, SegmentDescriptor.OWNER_PID_OFFSET, Owners.PID);
            m.set(ValueLayout.JAVA_LONG, SegmentDescriptor.OWNER_START_OFFSET, Owners.START);
            m.set(ValueLayout.JAVA_LONG, SegmentDescriptor.PAYLOAD_SIZE_OFFSET, payload);
            INT.setVolatile(m, SegmentDescriptor.STATE_OFFSET, LIVE);
            INT.setVolatile(m, SegmentDescriptor.MAGIC_OFFSET, MAGIC);
            return new Segment(path, kind, true, m, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e instanceof IOException io
                    ? new UncheckedIOException(
                            "cannot create shared memory " + path + ": " + e.getMessage(), io)
                    : (RuntimeException) e;
        }
    }

    /** Maps an existing segment made by another process (or another handle of this one). */
    static Segment attach(Path path, Kind kind) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch =
                FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size < HEADER) {
                throw new IllegalStateException(
                        "shared memory " + path + " is damaged: " + size + " bytes, no header");
            }
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            int magic = (int) INT.getVolatile(m, SegmentDescriptor.MAGIC_OFFSET);
            int version = m.get(ValueLayout.JAVA_INT, SegmentDescriptor.VERSION_OFFSET);
            int k = m.get(ValueLayout.JAVA_INT, SegmentDescriptor.KIND_OFFSET);
            if (magic != MAGIC || version != VERSION) {
                throw new IllegalStateException(
                        "shared memory "
                                + path
                                + " is not a forkwise segment of version "
                                + VERSION
                                + " (magic "
                                + Integer.toHexString(magic)
                                + ", version "
                                + version
                                + "): was it made by another forkwise version?");
            }
            if (k != kind.ordinal()) {
                throw new IllegalStateException(
                        "shared memory "
                                + path
                                + " holds a "
                                + Kind.values()[k]
                                + ", not a "
                                + kind);
            }
            if ((int) INT.getVolatile(m, SegmentDescriptor.STATE_OFFSET) != LIVE) {
                throw closedByOwner(path);
            }
            return new Segment(path, kind, false, m, arena);
        } catch (NoSuchFileException e) {
            arena.close();
            throw closedByOwner(path);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException(
                    "cannot attach shared memory " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static IllegalStateException closedByOwner(Path path) {
        return new IllegalStateException(
                "shared memory "
                        + path.getFileName()
                        + " is gone: the process that created it closed it or exited; a handle is"
                        + " usable only while its creator keeps it open");
    }

    /**
     * @return whether the owner has closed this segment (or is known to have)
     */
    boolean closedByOwner() {
        return (int) INT.getVolatile(memory, SegmentDescriptor.STATE_OFFSET) != LIVE;
    }

    /**
     * @return the payload's size in bytes, as created
     */
    long payloadSize() {
        return memory.get(ValueLayout.JAVA_LONG, SegmentDescriptor.PAYLOAD_SIZE_OFFSET);
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Owner: marks it closed, deletes the file and unmaps. Others: unmap. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (owner) {
                INT.setVolatile(memory, 12L, CLOSED);
            }
        }
        Segments.forget(this);
        arena.close();
    }

    @Override
    public String toString() {
        return kind.extension() + " " + path.getFileName() + (owner ? " (owner)" : " (attached)");
    }
}
