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
 * One end of the channel between the parent and a worker: length-prefixed frames over a Unix-domain
 * socket.
 *
 * <p>A frame is {@code int length, byte type, long id, byte[length - 9] payload}, big-endian. The
 * id is the request id of the task a frame is about (0 for frames about the worker itself), so a
 * reply can only ever complete the request it answers. Any thread may {@link #send}; frames are
 * written whole under a lock. One thread {@link #read}s.
 */
final class Wire implements Closeable {

    /** Worker → parent, first frame: the worker's secret token as payload. */
    static final byte HELLO = 1;
    /** Parent → worker: the initializer (empty payload when there is none). */
    static final byte INIT = 2;
    /** Worker → parent: initialized, ready for tasks. */
    static final byte READY = 3;
    /** Worker → parent: the initializer threw (payload: the throwable). */
    static final byte INIT_FAILED = 4;
    /** Parent → worker: run the task in the payload as request {@code id}. */
    static final byte TASK = 5;
    /** Parent → worker: interrupt request {@code id} if it is still running. */
    static final byte CANCEL = 6;
    /** Parent → worker: exit when idle. */
    static final byte STOP = 7;
    /** Worker → parent: request {@code id} returned the payload. */
    static final byte OK = 8;
    /** Worker → parent: request {@code id} threw the payload. */
    static final byte FAILED = 9;
    /** Worker → parent: request {@code id}'s result could not be sent (payload: why). */
    static final byte UNSENDABLE = 10;
    /** Both ways: a ping that is answered with the same frame (the raw transport benchmark). */
    static final byte ECHO = 11;

    private static final int HEADER = 9;
    private static final int MAX_FRAME = Integer.MAX_VALUE - 64;

    /** A frame read from the wire. */
    record Frame(byte type, long id, byte[] payload) {}

    private final SocketChannel channel;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final ReentrantLock writeLock = new ReentrantLock();

    Wire(SocketChannel channel) {
        this.channel = channel;
        this.in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
    }

    /** Writes one frame and flushes it. */
    void send(byte type, long id, byte[] payload) throws IOException {
        writeLock.lock();
        try {
            out.writeInt(HEADER + payload.length);
            out.writeByte(type);
            out.writeLong(id);
            out.write(payload);
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /** Reads the next frame; {@link EOFException} when the other end closed the channel. */
    Frame read() throws IOException {
        int length = in.readInt();
        if (length < HEADER || length > MAX_FRAME) {
            throw new StreamCorruptedException("bad frame length " + length);
        }
        byte type = in.readByte();
        long id = in.readLong();
        byte[] payload = new byte[length - HEADER];
        in.readFully(payload);
        return new Frame(type, id, payload);
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
