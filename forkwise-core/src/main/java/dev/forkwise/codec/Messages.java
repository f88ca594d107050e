package dev.forkwise.codec;

import java.io.IOException;

/**
 * The codec for forkwise's IPC primitives ({@code dev.forkwise.ipc}): a value becomes one flat run
 * of bytes (the {@link Codec}'s value tree, with large arrays inline rather than attached) and
 * back, behind the same class filter as tasks.
 */
public final class Messages {

    private static final Codec SYSTEM =
            new Codec(null, ClassLoader.getSystemClassLoader(), Portable.Factory.NONE);

    private Messages() {}

    /** An encoded value: the first {@code length} bytes of {@code array}. */
    public record Encoded(byte[] array, int length) {}

    /** Encodes {@code o}. @throws IOException if it (or something it holds) cannot be serialized */
    public static Encoded encode(Object o) throws IOException {
        Message m = Codec.encodeFlat(o);
        return new Encoded(m.body(), m.length());
    }

    /**
     * Decodes what {@link #encode} made, resolving classes through the calling thread's context
     * loader.
     */
    public static Object decode(byte[] bytes) throws IOException, ClassNotFoundException {
        ClassLoader l = Thread.currentThread().getContextClassLoader();
        Codec c =
                l == null || l == ClassLoader.getSystemClassLoader()
                        ? SYSTEM
                        : new Codec(null, l, Portable.Factory.NONE);
        return c.decode(bytes);
    }
}
