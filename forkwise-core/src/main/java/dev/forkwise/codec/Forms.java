package dev.forkwise.codec;

import java.io.IOException;
import java.io.StreamCorruptedException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lambda forms one connection has received, by number: the receiving end's half of sending each
 * form once per connection ({@link Codec#encodeNumbered}). The sending end writes a form ({@link
 * #bytes}) before the first message that uses it, and the receiving end {@link #define}s it before
 * it decodes that message; a message may then name the form by its number alone.
 *
 * <p>Thread-safe: forms are defined on a connection's reading thread and used by the threads that
 * decode its messages.
 */
public final class Forms {

    /** Most forms one connection may define: more is a damaged or hostile peer. */
    private static final int MAX = 1 << 16;

    private final Map<Integer, byte[]> defined = new ConcurrentHashMap<>();
    private final Map<Integer, Lambdas.Shape> shapes = new ConcurrentHashMap<>();

    /**
     * The bytes to send for form {@code number} of this JVM, before the first message that uses it.
     *
     * @param number a number from a message's {@link Message#forms()}
     * @return the form's bytes
     */
    public static byte[] bytes(int number) {
        return Lambdas.formBytes(number);
    }

    /**
     * Defines the other end's form {@code number}; defining a number again is refused.
     *
     * @param number the form's number in the sending JVM
     * @param form its bytes
     * @throws StreamCorruptedException if the number is already defined or too many are
     */
    public void define(int number, byte[] form) throws StreamCorruptedException {
        if (defined.size() >= MAX) {
            throw new StreamCorruptedException("more than " + MAX + " lambda forms");
        }
        if (defined.putIfAbsent(number, form) != null) {
            throw new StreamCorruptedException("lambda form " + number + " defined twice");
        }
    }

    /** The shape of form {@code number}, read on first use with {@code codec}'s loader, filter. */
    Lambdas.Shape shape(int number, Codec codec) throws IOException, ClassNotFoundException {
        Lambdas.Shape s = shapes.get(number);
        if (s == null) {
            byte[] form = defined.get(number);
            if (form == null) {
                throw new StreamCorruptedException(
                        "lambda form " + number + " was never sent on this connection");
            }
            s = codec.shape(form);
            shapes.put(number, s);
        }
        return s;
    }
}
