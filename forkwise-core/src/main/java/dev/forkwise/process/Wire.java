package dev.forkwise.process;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of the channel between the parent and a worker: frames over a Unix-domain socket.
 *
 * <p>A frame is {@code int bodyLength, byte type, long id, int attachments, byte[bodyLength] body},
 * then each attachment as {@code int length, byte[length]}, big-endian. The id is the request id
 * of the task a frame is about (0 for frames about the worker itself), so a reply can only ever
 * complete the request it answers. Attachments carry large {@code byte[]} values of a {@link
 * Codec} message: each is written straight from the caller's array and read straight into an
 * array of its own, never copied into or out of the body. Any thread may {@link #send}; frames are
 * written whole under a lock. One thread at a time {@link #read}s.
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

    private static final int MAX_LENGTH = Integer.MAX_VALUE - 64;
    private static final int MAX_ATTACHMENTS = 1 << 20;
    /** Large arrays move in slices of this size, so the JDK's per-thread I/O buffer stays small. */
    private static final int SLICE = 1 << 20;
    private static final byte[][] NONE = new byte[0][];

    /** What a frame carries: a body and the large arrays it refers to. */
    record Message(byte[] body, int length, byte[][] attachments) {
        static final Message EMPTY = of(new byte[0]);

        /** A message that is just these bytes. */
        static Message of(byte[] bytes) {
            return new Message(bytes, bytes.length, NONE);
        }

        /** @return the body's bytes, exactly */
        byte[] bytes() {
            return length == body.length ? body : java.util.Arrays.copyOf(body, length);
        }
    }

    /** A frame read from the wire. */
    record Frame(byte type, long id, Message message) {
        /** @return the body */
        byte[] payload() {
            return message.body();
        }
    }

    private final SocketChannel channel;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final ReentrantLock writeLock = new ReentrantLock();

    Wire(SocketChannel channel) {
        this.channel = channel;
        this.in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
    }

    /** Writes one frame with a plain body and flushes it. */
    void send(byte type, long id, byte[] body) throws IOException {
        send(type, id, Message.of(body));
    }

    /** Writes one frame and flushes it. */
    void send(byte type, long id, Message m) throws IOException {
        writeLock.lock();
        try {
            out.writeInt(m.length());
            out.writeByte(type);
            out.writeLong(id);
            out.writeInt(m.attachments().length);
            out.write(m.body(), 0, m.length());
            for (byte[] a : m.attachments()) {
                out.writeInt(a.length);
                for (int off = 0; off < a.length; off += SLICE) {
                    out.write(a, off, Math.min(SLICE, a.length - off));
                }
            }
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /** Reads the next frame; {@link EOFException} when the other end closed the channel. */
    Frame read() throws IOException {
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
        byte[] body = new byte[length];
        in.readFully(body);
        byte[][] attachments = count == 0 ? NONE : new byte[count][];
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
        return new Frame(type, id, new Message(body, length, attachments));
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
    }
}
