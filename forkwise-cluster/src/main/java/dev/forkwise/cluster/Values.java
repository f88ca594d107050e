package dev.forkwise.cluster;

import dev.forkwise.codec.Transfer;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The user's values as the cluster stores them: codec bytes, decoded through the class filter. */
final class Values {

    private Values() {}

    /** Encodes {@code v}, or fails naming {@code what} and the part that cannot travel. */
    static byte[] encode(String what, Object v) {
        if (v == null) {
            throw new NullPointerException(
                    what + " is null; the cluster's structures hold no null");
        }
        return Wire.bytes(Transfer.encode(what, v));
    }

    /** Decodes bytes from {@code cluster}; null stays null. */
    @SuppressWarnings("unchecked")
    static <T> T decode(String cluster, byte[] b) {
        if (b == null) {
            return null;
        }
        try {
            return (T) Instances.codec(cluster).decode(Wire.message(b));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(
                    "a value in the cluster names a class this JVM does not have: "
                            + e.getMessage(),
                    e);
        }
    }
}
