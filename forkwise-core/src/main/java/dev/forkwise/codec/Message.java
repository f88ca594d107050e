package dev.forkwise.codec;

import java.util.Arrays;

/**
 * An encoded value as it crosses a process boundary: a body and the large arrays it refers to,
 * which a transport may send beside the body rather than copy into it.
 *
 * @param body the body's bytes; only the first {@code length} count
 * @param length how many bytes of {@code body} are the message
 * @param attachments the large arrays the body refers to by index, in order
 * @param forms the numbers of the lambda forms the body refers to ({@link Forms}), which the
 *     connection that carries it must have sent first; empty for a self-contained message
 */
public record Message(byte[] body, int length, byte[][] attachments, int[] forms) {

    private static final byte[][] NONE = new byte[0][];
    private static final int[] NO_FORMS = new int[0];

    /**
     * A self-contained message: it refers to no numbered lambda form.
     *
     * @param body the body's bytes; only the first {@code length} count
     * @param length how many bytes of {@code body} are the message
     * @param attachments the large arrays the body refers to by index, in order
     */
    public Message(byte[] body, int length, byte[][] attachments) {
        this(body, length, attachments, NO_FORMS);
    }

    /** The message with no bytes at all. */
    public static final Message EMPTY = of(new byte[0]);

    /**
     * A message that is just these bytes.
     *
     * @param bytes the body, used as it is
     * @return the message
     */
    public static Message of(byte[] bytes) {
        return new Message(bytes, bytes.length, NONE);
    }

    /**
     * Returns this message with copies of its attachments, which the caller may then change.
     *
     * @return this message, or a copy whose attachments are its own
     */
    public Message withOwnAttachments() {
        if (attachments.length == 0) {
            return this;
        }
        byte[][] copies = new byte[attachments.length][];
        for (int i = 0; i < copies.length; i++) {
            copies[i] = attachments[i].clone();
        }
        return new Message(body, length, copies, forms);
    }

    /**
     * Returns the body's bytes, exactly.
     *
     * @return the body, or a copy of its first {@code length} bytes
     */
    public byte[] bytes() {
        return length == body.length ? body : Arrays.copyOf(body, length);
    }
}
