package dev.forkwise.process;

import dev.forkwise.codec.Forms;
import dev.forkwise.codec.Message;
import dev.forkwise.ipc.SharedMemory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of the channel between the parent and a worker: frames over a Unix-domain socket, and
 * then, once both ends have switched, over a {@link ShmLink} in shared memory.
 *
 * <p>A frame is {@code int bodyLength, byte type, long id, int attachments, int micros,
 * byte[bodyLength] body}, then each attachment as {@code int length, byte[length]}, big-endian. The
 * id is the request id of the task a frame is about (0 for frames about the worker itself), so a
 * reply can only ever complete the request it answers. A reply's {@code micros} is the time the
 * worker spent on the request (decoding, running, encoding): how the parent learns how short its
 * tasks are, whatever the channel's own latency. Attachments carry large {@code byte[]} values of a
 * {@link Codec} message: each is written straight from the caller's array and read straight into an
 * array of its own, never copied into or out of the body. Any thread may {@link #send}; frames are
 * written whole under a lock. One thread at a time {@link #read}s.
 *
 * <h2>Switching to shared memory</h2>
 *
 * <p>A worker starts on the socket (no task waits for memory to be mapped) and, once it has
 * answered {@link WorkerMain#LINK_AFTER} tasks, asks for a link ({@code LINK_REQUEST}). {@link
 * #read} handles the switch itself, in both ends, and never returns its frames:
 *
 * <ol>
 *   <li>The parent creates the link file and offers its path ({@code LINK_OFFER}).
 *   <li>The worker maps it, says {@code SWITCHED} on the socket and from then on writes to the link
 *       (or says {@code LINK_REFUSED} and stays on the socket).
 *   <li>The parent, reading {@code SWITCHED}, deletes the file, reads from the link from then on,
 *       says {@code SWITCHED} on the socket and writes to the link from then on.
 *   <li>The worker, reading that {@code SWITCHED}, reads from the link from then on.
 * </ol>
 *
 * <p>So each direction changes transport at one frame, and no frame can overtake another. After the
 * switch the socket carries only single wake-up bytes, and its end of file still tells that the
 * other process is gone.
 */
final class Wire implements Closeable {

    /** Worker → parent, first frame: the worker's secret token as body. */
    static final byte HELLO = 1;

    /** Parent → worker: the initializer (empty body when there is none). */
    static final byte INIT = 2;

    /** Worker → parent: initialized, ready for tasks. */
    static final byte READY = 3;

    /** Worker → parent: the initializer threw (body: the throwable). */
    static final byte INIT_FAILED = 4;

    /** Parent → worker: run the task in the body as request {@code id}. */
    static final byte TASK = 5;

    /** Parent → worker: interrupt request {@code id} if it is still running. */
    static final byte CANCEL = 6;

    /** Parent → worker: exit when idle. */
    static final byte STOP = 7;

    /** Worker → parent: request {@code id} returned the body. */
    static final byte OK = 8;

    /** Worker → parent: request {@code id} threw the body. */
    static final byte FAILED = 9;

    /** Worker → parent: request {@code id}'s result could not be sent (body: why). */
    static final byte UNSENDABLE = 10;

    /** Both ways: a ping that is answered with the same frame (the raw transport benchmark). */
    static final byte ECHO = 11;

    /** Worker → parent: please offer a shared-memory link. */
    static final byte LINK_REQUEST = 12;

    /** Parent → worker: the link file's path as body. */
    static final byte LINK_OFFER = 13;

    /** Worker → parent: the offered link could not be mapped; stay on the socket. */
    static final byte LINK_REFUSED = 14;

    /** Both ways: every frame after this one comes through the link. */
    static final byte SWITCHED = 15;

    /**
     * Parent → worker: like {@code TASK}, and say {@code STARTED} just before running it. Sent to a
     * worker that has not answered a task yet, whose first decode is still part of its start-up
     * (class loading): the task's time limit counts from {@code STARTED}.
     */
    static final byte TASK_SAY_START = 16;

    /** Worker → parent: request {@code id} (a {@code TASK_SAY_START}) is decoded and starts now. */
    static final byte STARTED = 17;

    /**
     * Parent → worker: lambda form number {@code id} of the parent ({@link Forms}), sent once per
     * channel before the first frame that names it.
     */
    static final byte FORM = 18;

    /**
     * Worker → parent: request {@code id} was cancelled while it waited in the worker's queue and
     * never ran.
     */
    static final byte SKIPPED = 19;

    /**
     * Parent → worker: hand back every task that waits in your queue, not started (its running
     * tasks have run far past the worker's usual time, and the tasks behind them could run
     * elsewhere).
     */
    static final byte RECALL = 20;

    /**
     * Worker → parent: request {@code id} waited in the worker's queue and is handed back, not
     * started, after a {@code RECALL}; the parent may send it to any worker.
     */
    static final byte RETURNED = 21;

    private static final int MAX_LENGTH = Integer.MAX_VALUE - 64;
    private static final int MAX_ATTACHMENTS = 1 << 20;

    /** Large arrays move in slices of this size, so the JDK's per-thread I/O buffer stays small. */
    private static final int SLICE = 1 << 20;

    /** A frame read from the wire. */
    record Frame(byte type, long id, Message message, int micros) {
        /**
         * @return the body
         */
        byte[] payload() {
            return message.body();
        }
    }

    private static final int BUFFER = 1 << 16;

    /**
     * The socket send buffer asked for (the kernel caps it at {@code net.core.wmem_max}). With the
     * default of about 200 KiB, a 500 KiB frame (a map chunk of 125,000 numbers) made its writer
     * wait for the reader two or three times, and on a busy machine each wait is a scheduling
     * delay; a large buffer lets the writer hand over the whole frame and go on (a new pool's first
     * 1M-item map: median 80 ms rather than 92 over 32 pools). The kernel holds only what is
     * queued: an idle channel costs nothing, one in the middle of a large frame up to 4 MiB of
     * kernel memory each way.
     */
    private static final int SEND_BUFFER = 4 << 20;

    private final SocketChannel channel;
    private final boolean parent;
    private final BufferedInputStream socketIn;
    private final BufferedOutputStream socketOut;

    /** Read only by the reading thread of the moment, which also switches it. */
    private DataInputStream in;

    /** Guarded by {@link #writeLock}. */
    private DataOutputStream out;

    private final ReentrantLock writeLock = new ReentrantLock();

    /** The lambda forms this end has sent; guarded by {@link #writeLock}. */
    private final BitSet formsSent = new BitSet();

    /** The lambda forms the other end has sent; defined by the reading thread. */
    private final Forms forms = new Forms();

    /** Parent: the link both ends use (reading thread only); worker: the link once mapped. */
    private volatile ShmLink link;

    /** Worker: an offer is being mapped (reading thread only). */
    private boolean taking;

    private volatile ShmLink offered;
    private volatile boolean linked;
    private volatile boolean closed;

    /**
     * @param channel the connected socket
     * @param parent whether this is the parent's end (which offers links) or a worker's
     */
    Wire(SocketChannel channel, boolean parent) {
        this.channel = channel;
        this.parent = parent;
        try {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
        } catch (IOException | UnsupportedOperationException e) {
            // the default buffer works, only with more waits for large frames
        }
        this.socketIn = new BufferedInputStream(Channels.newInputStream(channel), BUFFER);
        this.socketOut = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
        this.in = new DataInputStream(socketIn);
        this.out = new DataOutputStream(socketOut);
    }

    /** The length of a worker's token, in characters: 256 random bits in hex. */
    static final int TOKEN_LENGTH = 64;

    /**
     * A frame's header: body length, type, id, number of attachments, and the microseconds the
     * worker spent on the request a reply answers (0 in other frames).
     */
    private static final int HEADER = 4 + 1 + 8 + 4 + 4;

    /**
     * Parent, before a connection is trusted: reads exactly one {@code HELLO} frame from {@code
     * channel}, straight from the socket with no buffer (so not one byte past it is taken), and
     * returns its token; null if the first bytes are anything else. So an unauthenticated peer can
     * make the parent read at most {@value #HEADER} + {@value #TOKEN_LENGTH} bytes, allocate
     * nothing of the size it announces, and act on no frame: a link request or a task before the
     * token is just a wrong hello.
     */
    static String readHello(SocketChannel channel) throws IOException {
        ByteBuffer start = ByteBuffer.allocate(5); // body length and type: enough to refuse
        readFully(channel, start);
        if (start.getInt(0) != TOKEN_LENGTH || start.get(4) != HELLO) {
            return null;
        }
        ByteBuffer rest = ByteBuffer.allocate(HEADER - 5 + TOKEN_LENGTH);
        readFully(channel, rest);
        if (rest.getInt(8)
                != 0) { // after the id (the parent knows the worker's pid from the spawn):
            // attachments
            return null;
        }
        return new String(rest.array(), HEADER - 5, TOKEN_LENGTH, StandardCharsets.US_ASCII);
    }

    private static void readFully(SocketChannel channel, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new EOFException("the peer closed the connection before its hello");
            }
        }
    }

    /** Worker: asks the parent for a shared-memory link (see the class comment). */
    void requestLink() throws IOException {
        send(LINK_REQUEST, 0, Message.EMPTY);
    }

    /**
     * @return whether both directions of this end go through shared memory
     */
    boolean linked() {
        return linked;
    }

    /** Writes one frame with a plain body and flushes it. */
    void send(byte type, long id, byte[] body) throws IOException {
        send(type, id, Message.of(body));
    }

    /** Writes one frame and flushes it. */
    void send(byte type, long id, Message m) throws IOException {
        send(type, id, m, 0);
    }

    /**
     * Writes one reply frame that says the worker spent {@code micros} on the request, and flushes
     * it.
     */
    void send(byte type, long id, Message m, int micros) throws IOException {
        // a socket channel closes itself when a thread with its interrupt status set does I/O on
        // it; a caller's pending interrupt (say, one restored after catching InterruptedException)
        // must not cost the worker its channel: it is set aside while writing and set again after
        boolean interrupted = Thread.interrupted();
        writeLock.lock();
        try {
            writeFrame(type, id, m, micros);
        } finally {
            writeLock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes frames of one {@code type}, {@code ids[i]} with {@code messages[i]}, and flushes once:
     * the other end gets them with one wake-up.
     */
    void sendAll(byte type, long[] ids, Message[] messages) throws IOException {
        boolean interrupted = Thread.interrupted(); // as in send
        writeLock.lock();
        try {
            for (int i = 0; i < ids.length; i++) {
                writeUnflushed(type, ids[i], messages[i], 0);
            }
            out.flush();
        } finally {
            writeLock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes one frame if no other thread is writing now; returns whether it did. For a thread that
     * must not wait for the lock (a worker's reading thread).
     */
    boolean trySend(byte type, long id, Message m) throws IOException {
        if (!writeLock.tryLock()) {
            return false;
        }
        try {
            writeFrame(type, id, m, 0);
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    private void writeFrame(byte type, long id, Message m, int micros) throws IOException {
        writeUnflushed(type, id, m, micros);
        out.flush();
    }

    private void writeUnflushed(byte type, long id, Message m, int micros) throws IOException {
        for (int n : m.forms()) {
            if (!formsSent.get(n)) {
                byte[] form = Forms.bytes(n);
                writeHeader(FORM, n, form.length, 0, 0);
                out.write(form);
                formsSent.set(n);
            }
        }
        writeHeader(type, id, m.length(), m.attachments().length, micros);
        out.write(m.body(), 0, m.length());
        for (byte[] a : m.attachments()) {
            out.writeInt(a.length);
            for (int off = 0; off < a.length; off += SLICE) {
                out.write(a, off, Math.min(SLICE, a.length - off));
            }
        }
    }

    private void writeHeader(byte type, long id, int length, int attachments, int micros)
            throws IOException {
        out.writeInt(length);
        out.writeByte(type);
        out.writeLong(id);
        out.writeInt(attachments);
        out.writeInt(micros);
    }

    /**
     * The lambda forms the other end has sent on this channel, for decoding its frames.
     *
     * @return the forms
     */
    Forms forms() {
        return forms;
    }

    /**
     * Reads the next frame, handling the switch to shared memory on the way; {@link EOFException}
     * when the other end closed the channel.
     */
    Frame read() throws IOException {
        while (true) {
            Frame f = readFrame();
            switch (f.type()) {
                case LINK_REQUEST -> offerLink();
                case LINK_OFFER -> takeLink(f);
                case LINK_REFUSED -> dropOffer();
                case SWITCHED -> switched();
                case FORM -> forms.define(Math.toIntExact(f.id()), f.payload());
                default -> {
                    return f;
                }
            }
        }
    }

    /** Parent: creates a link and offers it; without shared memory it stays on the socket. */
    private void offerLink() throws IOException {
        if (!parent || link != null || offered != null) {
            return;
        }
        ShmLink l;
        try {
            l = ShmLink.create(SharedMemory.folder(), ShmLink.RING);
        } catch (IOException | RuntimeException e) {
            return; // no usable shared memory here: the socket it is
        }
        offered = l;
        send(LINK_OFFER, 0, l.path.toString().getBytes(StandardCharsets.UTF_8));
        if (closed) {
            dropOffer();
        }
    }

    /**
     * Worker: maps the offered link and switches its writing to it, on another thread. The reading
     * thread goes on reading meanwhile: the first mapping in a JVM takes 30–70 ms (the JDK
     * initializes its memory-segment support), and it must never wait for the write lock either,
     * whose holder may be waiting for the parent to read, which may be waiting for this worker to
     * read.
     */
    private void takeLink(Frame f) {
        if (parent || link != null || taking) {
            return;
        }
        taking = true;
        String path = new String(f.payload(), StandardCharsets.UTF_8);
        Thread.ofPlatform()
                .daemon()
                .name("forkwise-link-switch")
                .start(
                        () -> {
                            try {
                                ShmLink l;
                                try {
                                    l = ShmLink.attach(Path.of(path));
                                } catch (IOException | RuntimeException e) {
                                    send(LINK_REFUSED, 0, Message.EMPTY);
                                    return;
                                }
                                link = l; // before SWITCHED goes out: the parent's SWITCHED, read
                                // after it, needs it
                                switchOutput(
                                        l.out(
                                                ShmLink.Direction.TO_PARENT,
                                                this::bell,
                                                this::isClosed));
                            } catch (IOException e) {
                                close(); // the channel broke: the worker's reading thread sees it
                                // and ends the worker
                            }
                        });
    }

    /** Parent: the worker could not map the link. */
    private void dropOffer() {
        ShmLink l = offered;
        offered = null;
        if (l != null) {
            l.unlink();
        }
    }

    /** The other end writes to the link from now on; the parent then switches its own writing. */
    private void switched() throws IOException {
        if (parent) {
            ShmLink l = offered;
            if (l == null) {
                throw new StreamCorruptedException("SWITCHED without a link offered");
            }
            offered = null;
            l.unlink(); // both ends have it mapped: nobody else can reach it from now on
            link = l;
            in =
                    new DataInputStream(
                            new BufferedInputStream(
                                    l.in(ShmLink.Direction.TO_PARENT, socketIn), BUFFER));
            switchOutput(l.out(ShmLink.Direction.TO_WORKER, this::bell, this::isClosed));
            linked = true;
        } else {
            if (link == null) {
                throw new StreamCorruptedException("SWITCHED without a link taken");
            }
            in =
                    new DataInputStream(
                            new BufferedInputStream(
                                    link.in(ShmLink.Direction.TO_WORKER, socketIn), BUFFER));
            linked = true;
        }
    }

    /** Says {@code SWITCHED} on the current output and makes {@code to} the output, atomically. */
    private void switchOutput(OutputStream to) throws IOException {
        writeLock.lock();
        try {
            writeFrame(SWITCHED, 0, Message.EMPTY, 0);
            out = new DataOutputStream(new BufferedOutputStream(to, BUFFER));
        } finally {
            writeLock.unlock();
        }
    }

    /** Wakes the other end's reader, asleep on the socket; called under the write lock. */
    private void bell() throws IOException {
        socketOut.write(0);
        socketOut.flush();
    }

    private boolean isClosed() {
        return closed;
    }

    private Frame readFrame() throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_LENGTH) {
            throw new StreamCorruptedException("bad frame length " + length);
        }
        byte type = in.readByte();
        long id = in.readLong();
        int count = in.readInt();
        if (count < 0 || count > MAX_ATTACHMENTS) {
            throw new StreamCorruptedException("bad attachment count " + count);
        }
        int micros = in.readInt();
        byte[] body = new byte[length];
        in.readFully(body);
        byte[][] attachments = count == 0 ? Message.EMPTY.attachments() : new byte[count][];
        for (int i = 0; i < count; i++) {
            int n = in.readInt();
            if (n < 0 || n > MAX_LENGTH) {
                throw new StreamCorruptedException("bad attachment length " + n);
            }
            byte[] a = new byte[n];
            for (int off = 0; off < n; off += SLICE) {
                in.readFully(a, off, Math.min(SLICE, n - off));
            }
            attachments[i] = a;
        }
        return new Frame(type, id, new Message(body, length, attachments), micros);
    }

    @Override
    public void close() {
        closed = true;
        dropOffer();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
    }
}
