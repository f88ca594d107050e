package dev.forkwise.ipc;

import dev.forkwise.codec.Messages;

import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * Two connected ends (Python's {@code multiprocessing.Pipe()}): what one end sends, the other
 * receives, in order, in both directions. Pass one end to a worker and keep the other, or pass one
 * to each of two workers.
 *
 * {@snippet :
 * try (Pipe pipe = Pipe.open()) {
 *     Pipe.End child = pipe.b();
 *     pool.submit(() -> {
 *         child.send("hello from " + ProcessHandle.current().pid());
 *         return null;
 *     });
 *     String greeting = pipe.a().recv();
 * }
 * }
 *
 * <p>Each direction is a {@link Ring} in one shared segment, so a message goes from process to
 * process through memory, not through the kernel. Messages are encoded as a {@link SharedQueue}'s
 * elements are; a message larger than the direction's buffer ({@link #open(int)}) is refused at
 * {@code send}.
 *
 * <p><b>The other end going away.</b> When one end is closed, or the last process that used it has
 * died, the other end's {@code recv} first returns what is still buffered and then throws {@link
 * ClosedException} instead of waiting for ever (Python's {@code EOFError}); its {@code send} throws
 * at once.
 *
 * <p>Memory consistency effects: actions in a thread before it sends a message happen before
 * actions in the thread that receives it, after the receive.
 */
public final class Pipe extends Handle {

    @Serial private static final long serialVersionUID = 1L;

    /** The default buffer in each direction. */
    public static final int DEFAULT_BUFFER = 1 << 20;

    private static final long RINGS = PipeDescriptor.RINGS_OFFSET;

    private final transient End a;
    private final transient End b;

    Pipe(Segment s) {
        super(s);
        int size = (int) ((s.payloadSize() - (RINGS - Segment.HEADER)) / 2);
        Ring ab = new Ring(memory, RINGS);
        Ring ba = new Ring(memory, RINGS + size);
        this.a = new End(this, 0, ab, ba);
        this.b = new End(this, 1, ba, ab);
    }

    /** Opens a pipe with {@link #DEFAULT_BUFFER} bytes in each direction. */
    public static Pipe open() {
        return open(DEFAULT_BUFFER);
    }

    /** Opens a pipe with {@code bufferBytes} bytes in each direction. */
    public static Pipe open(int bufferBytes) {
        if (bufferBytes < 64) {
            throw new IllegalArgumentException(
                    "a pipe's buffer must be at least 64 bytes, not " + bufferBytes);
        }
        long ring = Ring.bytes(bufferBytes);
        ring = (ring + 63) & ~63L;
        Segment s = newSegment(Segment.Kind.PIPE, RINGS - Segment.HEADER + 2 * ring);
        Ring.format(s.memory, RINGS, Integer.MAX_VALUE, bufferBytes);
        Ring.format(s.memory, RINGS + ring, Integer.MAX_VALUE, bufferBytes);
        return new Pipe(s);
    }

    /**
     * Opens a one-way pipe (Python's {@code Pipe(duplex=False)}): {@link #a()} only receives and
     * {@link #b()} only sends; the other operation on either end throws.
     *
     * @return the pipe, owned by the calling process
     */
    public static Pipe oneWay() {
        Pipe p = open();
        Segment.LONG.setVolatile(p.memory, PipeDescriptor.ONE_WAY_OFFSET, 1L);
        return p;
    }

    /**
     * @return whether this pipe is one-way: {@link #a()} receives, {@link #b()} sends
     */
    public boolean isOneWay() {
        return (long) Segment.LONG.getVolatile(memory, PipeDescriptor.ONE_WAY_OFFSET) == 1L;
    }

    /**
     * @return the first end
     */
    public End a() {
        return a;
    }

    /**
     * @return the second end
     */
    public End b() {
        return b;
    }

    End end(int side) {
        return side == 0 ? a : b;
    }

    /** The other end is closed or its process died. */
    public static final class ClosedException extends IllegalStateException {
        @Serial private static final long serialVersionUID = 1L;

        ClosedException(String message) {
            super(message);
        }
    }

    /**
     * One end of a pipe. Serializable: a task that captures it uses the same end in its worker. Any
     * thread may use an end; sends from several threads are each delivered whole.
     */
    public static final class End implements AutoCloseable, Serializable {
        @Serial private static final long serialVersionUID = 1L;

        private final transient Pipe pipe;
        private final transient int side;
        private final transient Ring out;
        private final transient Ring in;
        private final transient long mine;
        private final transient long theirs;
        private transient volatile boolean registered;

        End(Pipe pipe, int side, Ring out, Ring in) {
            this.pipe = pipe;
            this.side = side;
            this.out = out;
            this.in = in;
            this.mine = PipeDescriptor.ENDS_OFFSET + side * PipeDescriptor.END_LENGTH;
            this.theirs = PipeDescriptor.ENDS_OFFSET + (1 - side) * PipeDescriptor.END_LENGTH;
        }

        /** Sends {@code message} (any value a task could take as its argument). */
        public void send(Object message) throws InterruptedException {
            if (side == 0 && pipe.isOneWay()) {
                throw new IllegalStateException(
                        this
                                + " only receives: this pipe is one-way (Pipe.oneWay()); send on"
                                + " its end b");
            }
            use();
            Messages.Encoded e = SharedQueue.encode(message);
            if (e.length() > out.maxRecord()) {
                throw new IllegalArgumentException(
                        "a message of "
                                + e.length()
                                + " encoded bytes does not fit in this pipe's "
                                + out.maxRecord()
                                + "-byte buffer; open it with Pipe.open(bufferBytes) and a larger"
                                + " buffer");
            }
            if ((long) Segment.LONG.getVolatile(pipe.memory, theirs) != 0) {
                // only the flag here: whether the peer's process lives is checked while waiting
                throw new ClosedException("the other end of the pipe is closed");
            }
            out.put(e.array(), e.length(), -1, this::checkPeerForSend);
        }

        /** Sends the bytes; the other end gets them from {@link #recvBytes()}. */
        public void sendBytes(byte[] bytes) throws InterruptedException {
            send(bytes.clone());
        }

        /**
         * Receives the next message, waiting for it.
         *
         * @throws ClosedException when nothing is buffered and the other end is closed or gone
         */
        public <T> T recv() throws InterruptedException {
            if (side == 1 && pipe.isOneWay()) {
                throw new IllegalStateException(
                        this
                                + " only sends: this pipe is one-way (Pipe.oneWay()); receive on"
                                + " its end a");
            }
            use();
            byte[] b = in.take(-1, this::checkPeerIfEmpty);
            return SharedQueue.decode(b);
        }

        /** Receives the next message, which must be bytes sent with {@link #sendBytes}. */
        public byte[] recvBytes() throws InterruptedException {
            Object o = recv();
            if (o instanceof byte[] b) {
                return b;
            }
            throw new IllegalStateException(
                    "the next message is a "
                            + (o == null ? "null" : o.getClass().getName())
                            + ", not bytes; read it with recv()");
        }

        /**
         * Waits up to {@code timeout} for a message; returns whether one is there to {@link
         * #recv()}.
         */
        public boolean poll(Duration timeout) throws InterruptedException {
            use();
            return in.awaitRecord(Math.max(0, timeout.toNanos()), this::checkPeerIfEmpty);
        }

        /** Closes this end: the other end's receives drain what was sent, then throw. */
        @Override
        public void close() {
            if (!pipe.segment.isClosed()) {
                Segment.LONG.setVolatile(pipe.memory, mine + PipeDescriptor.CLOSED_OFFSET, 1L);
            }
        }

        private void use() {
            if (!registered) {
                MemorySegment m = pipe.memory;
                if ((long) Segment.LONG.getVolatile(m, mine + PipeDescriptor.CLOSED_OFFSET) != 0) {
                    throw new ClosedException("this end of the pipe is closed");
                }
                Segment.LONG.setVolatile(
                        m, mine + PipeDescriptor.HOLDER_START_OFFSET, Owners.START);
                Segment.LONG.setVolatile(m, mine + PipeDescriptor.HOLDER_PID_OFFSET, Owners.PID);
                registered = true;
            }
        }

        /**
         * This end has arrived in a process other than its creator (a task that captured it): that
         * process is its holder from now on, before it sends or receives anything, so a holder that
         * dies before its first send still closes the pipe for the other end.
         */
        void arrived() {
            if (!registered && !pipe.segment.isClosed()) {
                Segment.LONG.setVolatile(
                        pipe.memory, mine + PipeDescriptor.HOLDER_START_OFFSET, Owners.START);
                Segment.LONG.setVolatile(
                        pipe.memory, mine + PipeDescriptor.HOLDER_PID_OFFSET, Owners.PID);
                registered = true;
            }
        }

        private void checkPeerIfEmpty() {
            if (in.count() == 0) {
                checkPeer();
            }
        }

        private void checkPeer() {
            String why = peerGone();
            if (why != null && in.count() == 0) {
                throw new ClosedException(why);
            }
        }

        private void checkPeerForSend() {
            String why = peerGone();
            if (why != null) {
                throw new ClosedException(why);
            }
        }

        private String peerGone() {
            MemorySegment m = pipe.memory;
            if ((long) Segment.LONG.getVolatile(m, theirs + PipeDescriptor.CLOSED_OFFSET) != 0) {
                return "the other end of the pipe is closed";
            }
            long pid =
                    (long) Segment.LONG.getVolatile(m, theirs + PipeDescriptor.HOLDER_PID_OFFSET);
            if (pid != 0
                    && pid != Owners.PID
                    && !Owners.alive(
                            pid,
                            (long)
                                    Segment.LONG.getVolatile(
                                            m, theirs + PipeDescriptor.HOLDER_START_OFFSET))) {
                return "the process that held the other end of the pipe (pid "
                        + pid
                        + ") has exited";
            }
            return null;
        }

        @Serial
        private Object writeReplace() throws ObjectStreamException {
            return new Ref(Segment.Kind.PIPE, pipe.segment.path.toString(), side);
        }

        @Override
        public String toString() {
            return "Pipe.End["
                    + (side == 0 ? "a" : "b")
                    + " of "
                    + pipe.segment.path.getFileName()
                    + "]";
        }
    }
}
