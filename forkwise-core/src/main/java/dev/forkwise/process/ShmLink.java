package dev.forkwise.process;

import dev.forkwise.shm.IdleStrategy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared-memory link between the parent and one worker: two byte rings in one file, one for
 * each direction, that {@link Wire}'s frames travel through once both ends have switched to it.
 *
 * <h2>Implementation overview</h2>
 *
 * <p><b>Layout</b> ({@link LinkDescriptor}). A header (magic, version, ring size), then per
 * direction a control block with the writer's position, the reader's position and the reader's
 * "asleep" flag, each on its own cache line, then the two data areas. Positions are byte counts
 * since the start, so {@code write - read} is what is buffered and a full ring is told from an
 * empty one.
 *
 * <p><b>One writer, one reader.</b> {@link Wire} writes a direction only under its write lock and
 * reads it only from one thread at a time, so each direction is a single-producer, single-consumer
 * ring: the writer copies bytes into free space and publishes them with one store of its position;
 * the reader copies them out and frees the space with one store of its own. A large frame streams
 * through: the writer fills what is free while the reader empties it.
 *
 * <p><b>Waiting without a kernel hand-off.</b> A reader that finds the ring empty keeps looking for
 * as long as the channel's {@link IdleStrategy} yields (100 µs) before it would park: a reply or
 * the next task that comes within that time is taken with no wake-up through the kernel. Then it
 * goes to sleep in a blocking read of the worker's socket: it sets its flag, looks at the ring once
 * more, and reads one byte. A writer that publishes bytes and finds the flag set clears it and
 * writes that byte (Dekker's pattern, with volatile accesses on both sides, so a sleep and a
 * publish can never miss each other). A writer that finds the ring full looks the same way and then
 * parks in growing steps; this happens only while the reader is emptying it.
 *
 * <p><b>Death and privacy.</b> The socket still tells death: a reader asleep on it gets end of file
 * when the other process dies, takes what is left in the ring and then reports end of file too. The
 * file is created 0600 in forkwise's private shared-memory folder ({@code 0700}, see {@link
 * dev.forkwise.ipc.SharedMemory}) and deleted by the parent as soon as the worker has mapped it, so
 * from then on only the two processes that have it mapped can reach the memory.
 *
 * <p><b>Why a {@link MappedByteBuffer}.</b> The words are read and written through byte-buffer view
 * {@link VarHandle}s, which the JDK ships as ready-made classes: the memory-segment API would load
 * several dozen classes and generate method-handle code in every worker at its switch, which cost
 * an idle worker about 5 MiB of resident memory.
 *
 * <p>Memory consistency effects: actions of a thread before it writes bytes happen before actions
 * of the thread that reads those bytes, after the read.
 */
final class ShmLink {

    /** Data bytes of each direction. */
    static final int RING = 1 << 20;

    private static final int MAGIC = 0x464b574c; // "FKWL"
    private static final int VERSION = 1;
    private static final int DATA = LinkDescriptor.DATA_OFFSET;

    private static final VarHandle LONG =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INT =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final AtomicLong NEXT = new AtomicLong();

    /** Which way bytes go. */
    enum Direction {
        TO_WORKER,
        TO_PARENT
    }

    /** A wake-up to the sleeping reader: one byte on the socket. */
    interface Bell {
        void ring() throws IOException;
    }

    /** Whether the link is still usable; a waiting writer stops when it is not. */
    interface Liveness {
        boolean closed();
    }

    final Path path;
    private final MappedByteBuffer memory;
    private final int size;

    private ShmLink(Path path, MappedByteBuffer memory, int size) {
        this.path = path;
        this.memory = memory;
        this.size = size;
    }

    /**
     * Parent: creates a link file of {@code ring} bytes per direction in {@code folder}, named so
     * that a sweep of shared memory deletes it if this process dies before it is deleted.
     */
    static ShmLink create(Path folder, int ring) throws IOException {
        if (Integer.bitCount(ring) != 1 || ring < 4096) {
            throw new IllegalArgumentException(
                    "a link's ring must be a power of two of at least 4096 bytes, not " + ring);
        }
        Path p =
                folder.resolve(
                        ProcessHandle.current().pid() + "-0-" + NEXT.incrementAndGet() + ".link");
        try {
            Files.createFile(
                    p,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(p);
        }
        try {
            MappedByteBuffer m = map(p, DATA + 2L * ring);
            INT.set(m, LinkDescriptor.RING_SIZE_OFFSET, ring);
            INT.set(m, LinkDescriptor.VERSION_OFFSET, VERSION);
            INT.setVolatile(m, LinkDescriptor.MAGIC_OFFSET, MAGIC);
            return new ShmLink(p, m, ring);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(p);
            throw e;
        }
    }

    /** Worker: maps the link the parent created at {@code path}, checking its header. */
    static ShmLink attach(Path path) throws IOException {
        long bytes = Files.size(path);
        if (bytes < DATA) {
            throw new IOException("the link file " + path + " is too small: " + bytes + " bytes");
        }
        if (bytes > Integer.MAX_VALUE) {
            throw new IOException("the link file " + path + " is too large: " + bytes + " bytes");
        }
        MappedByteBuffer m = map(path, bytes);
        int magic = (int) INT.getVolatile(m, LinkDescriptor.MAGIC_OFFSET);
        int version = (int) INT.get(m, LinkDescriptor.VERSION_OFFSET);
        int ring = (int) INT.get(m, LinkDescriptor.RING_SIZE_OFFSET);
        if (magic != MAGIC
                || version != VERSION
                || Integer.bitCount(ring) != 1
                || DATA + 2L * ring != bytes) {
            throw new IOException(
                    "the link file " + path + " is not a forkwise link of version " + VERSION);
        }
        return new ShmLink(path, m, ring);
    }

    private static MappedByteBuffer map(Path p, long bytes) throws IOException {
        try (FileChannel ch =
                FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // unmapped when the buffer is no longer reachable: never under a thread still using it
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
        }
    }

    /** Deletes the file; both ends keep their mappings. */
    void unlink() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a shared-memory sweep deletes it once this process is gone
        }
    }

    /**
     * The reading end of direction {@code d}; it sleeps on {@code socket} when the ring is empty.
     */
    InputStream in(Direction d, InputStream socket) {
        return new In(d, socket);
    }

    /** The writing end of direction {@code d}; {@code bell} wakes a sleeping reader. */
    OutputStream out(Direction d, Bell bell, Liveness liveness) {
        return new Out(d, bell, liveness);
    }

    private int control(Direction d) {
        return LinkDescriptor.control(d.ordinal());
    }

    private int data(Direction d) {
        return (int) (DATA + (long) d.ordinal() * size);
    }

    private final class In extends InputStream {
        private final int writePos;
        private final int readPos;
        private final int asleep;
        private final int data;
        private final InputStream socket;
        private final byte[] one = new byte[1];
        private final IdleStrategy idle = IdleStrategy.forChannel();
        private boolean peerGone;

        In(Direction d, InputStream socket) {
            int c = control(d);
            this.writePos = c + LinkDescriptor.WRITE_POSITION_OFFSET;
            this.readPos = c + LinkDescriptor.READ_POSITION_OFFSET;
            this.asleep = c + LinkDescriptor.ASLEEP_OFFSET;
            this.data = data(d);
            this.socket = socket;
        }

        @Override
        public int read() throws IOException {
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            long r = (long) LONG.get(memory, readPos);
            long w = (long) LONG.getAcquire(memory, writePos);
            if (w == r) {
                w = await(r);
                if (w == r) {
                    return -1;
                }
            }
            int at = (int) (r & (size - 1));
            int n = (int) Math.min(Math.min(len, w - r), size - at);
            memory.get(data + at, b, off, n);
            LONG.setRelease(memory, readPos, r + n);
            return n;
        }

        @Override
        public int available() {
            return (int)
                    Math.min(
                            Integer.MAX_VALUE,
                            (long) LONG.getAcquire(memory, writePos)
                                    - (long) LONG.get(memory, readPos));
        }

        /**
         * Waits until the writer's position moves past {@code r}; returns it ({@code r}: end of
         * file).
         */
        private long await(long r) throws IOException {
            idle.reset();
            while (true) {
                long w = (long) LONG.getAcquire(memory, writePos);
                if (w != r || peerGone) {
                    return w;
                }
                if (idle.parking()) {
                    sleep(r);
                } else {
                    idle.idle();
                }
            }
        }

        private void sleep(long r) throws IOException {
            INT.setVolatile(memory, asleep, 1);
            if ((long) LONG.getVolatile(memory, writePos) != r) {
                // bytes came after all; if the writer already took the flag, its byte is still to
                // come and
                // the next sleep reads it as a spurious wake-up
                INT.compareAndSet(memory, asleep, 1, 0);
                return;
            }
            if (socket.read() < 0) {
                peerGone = true; // what is in the ring is still read; then end of file
            }
        }
    }

    private final class Out extends OutputStream {
        private final int writePos;
        private final int readPos;
        private final int asleep;
        private final int data;
        private final Bell bell;
        private final Liveness liveness;
        private final IdleStrategy idle = IdleStrategy.forChannel();

        Out(Direction d, Bell bell, Liveness liveness) {
            int c = control(d);
            this.writePos = c + LinkDescriptor.WRITE_POSITION_OFFSET;
            this.readPos = c + LinkDescriptor.READ_POSITION_OFFSET;
            this.asleep = c + LinkDescriptor.ASLEEP_OFFSET;
            this.data = data(d);
            this.bell = bell;
            this.liveness = liveness;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            while (len > 0) {
                long w = (long) LONG.get(memory, writePos);
                long free = size - (w - (long) LONG.getAcquire(memory, readPos));
                if (free == 0) {
                    awaitSpace(w);
                    continue;
                }
                int at = (int) (w & (size - 1));
                int n = (int) Math.min(Math.min(len, free), size - at);
                memory.put(data + at, b, off, n);
                LONG.setVolatile(memory, writePos, w + n);
                off += n;
                len -= n;
                if ((int) INT.getVolatile(memory, asleep) == 1
                        && INT.compareAndSet(memory, asleep, 1, 0)) {
                    bell.ring();
                }
            }
        }

        private void awaitSpace(long w) throws IOException {
            idle.reset();
            boolean interrupted = false;
            try {
                while ((long) LONG.getAcquire(memory, readPos) == w - size) {
                    if (liveness.closed()) {
                        throw new IOException("the link to the other process is closed");
                    }
                    idle.idle();
                    if (Thread.interrupted()) {
                        interrupted =
                                true; // a frame is never left half written: the interrupt is kept
                                      // for later
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
