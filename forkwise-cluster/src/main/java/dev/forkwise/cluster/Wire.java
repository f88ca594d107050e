package dev.forkwise.cluster;

import dev.forkwise.codec.Message;

import java.nio.ByteBuffer;

/**
 * A codec {@link Message} as one byte array, the form Hazelcast carries: its body and its
 * attachments, each after its length. The layout: {@code int attachments, int bodyLength, body,
 * then per attachment int length, bytes}, big-endian.
 */
final class Wire {

    private Wire() {}

    /** The message as one array. */
    static byte[] bytes(Message m) {
        int size = 8 + m.length();
        for (byte[] a : m.attachments()) {
            size += 4 + a.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(m.attachments().length).putInt(m.length()).put(m.body(), 0, m.length());
        for (byte[] a : m.attachments()) {
            b.putInt(a.length).put(a);
        }
        return b.array();
    }

    /** The message an array made by {@link #bytes} holds. */
    static Message message(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int count = b.getInt();
        int length = b.getInt();
        if (count < 0 || length < 0 || length > b.remaining()) {
            throw new IllegalArgumentException("not a forkwise message: bad lengths");
        }
        byte[] body = new byte[length];
        b.get(body);
        byte[][] attachments = new byte[count][];
        for (int i = 0; i < count; i++) {
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) {
                throw new IllegalArgumentException("not a forkwise message: bad attachment");
            }
            attachments[i] = new byte[n];
            b.get(attachments[i]);
        }
        return new Message(body, length, attachments);
    }
}
