package dev.forkwise.process;

import dev.forkwise.RemoteTaskException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.Set;

/**
 * Turns tasks, inputs, results and exceptions into bytes and back, with Java serialization behind a
 * filter that lets through only an allowed set of classes.
 *
 * <h2>The allowed set</h2>
 *
 * <ul>
 *   <li>Classes of the application: those defined by a class loader other than the JDK's boot and
 *       platform loaders, that is, the user's own code and its libraries, which the user ships to
 *       the workers on purpose.
 *   <li>From the JDK, only value-like packages ({@code java.lang}, {@code java.util}, {@code
 *       java.util.concurrent}, {@code java.time}, {@code java.math}, ...), {@link
 *       java.lang.invoke.SerializedLambda} (how a lambda travels) and any {@link Throwable} (how a
 *       failure travels). Everything else in the JDK (reflection proxies, JNDI, JMX, RMI, XML
 *       internals: the usual gadget material) is rejected.
 *   <li>If {@link dev.forkwise.ProcessOptions#allowedClasses()} is set, its pattern must also
 *       allow the class.
 * </ul>
 *
 * <p>Each message is its own serialization stream, so no state carries from one message to the next.
 */
final class Codec {

    private static final Set<String> JDK_PACKAGES =
            Set.of(
                    "java.lang",
                    "java.util",
                    "java.util.concurrent",
                    "java.util.concurrent.atomic",
                    "java.util.regex",
                    "java.time",
                    "java.time.chrono",
                    "java.time.format",
                    "java.time.temporal",
                    "java.time.zone",
                    "java.math",
                    "java.net",
                    "java.nio.charset",
                    "java.text");

    private final ObjectInputFilter filter;
    private final ClassLoader loader;

    /**
     * Creates a codec.
     *
     * @param pattern the user's extra ObjectInputFilter pattern, or null
     * @param loader where to look up classes when decoding
     */
    Codec(String pattern, ClassLoader loader) {
        ObjectInputFilter user = pattern == null ? null : ObjectInputFilter.Config.createFilter(pattern);
        this.filter = info -> check(info, user);
        this.loader = loader;
    }

    private static ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info, ObjectInputFilter user) {
        Class<?> c = info.serialClass();
        if (c == null) {
            return ObjectInputFilter.Status.UNDECIDED;
        }
        while (c.isArray()) {
            c = c.getComponentType();
        }
        if (!allowed(c)) {
            return ObjectInputFilter.Status.REJECTED;
        }
        if (user != null && !c.isPrimitive()) {
            ObjectInputFilter.Status s = user.checkInput(info);
            if (s == ObjectInputFilter.Status.REJECTED) {
                return s;
            }
        }
        return ObjectInputFilter.Status.ALLOWED;
    }

    /** Whether {@code c} is in forkwise's allowed set (see the class comment). */
    static boolean allowed(Class<?> c) {
        if (c.isPrimitive()) {
            return true;
        }
        ClassLoader l = c.getClassLoader();
        if (l != null && l != ClassLoader.getPlatformClassLoader()) {
            return true;
        }
        if (c == java.lang.invoke.SerializedLambda.class || Throwable.class.isAssignableFrom(c)) {
            return true;
        }
        if (c.getModule() != Object.class.getModule()) {
            return false;
        }
        return JDK_PACKAGES.contains(c.getPackageName())
                && !java.lang.reflect.Proxy.isProxyClass(c);
    }

    /** Serializes {@code o}; throws what serialization throws. */
    static byte[] encode(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    /** Deserializes {@code payload} through the filter. */
    Object decode(byte[] payload) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new Input(new ByteArrayInputStream(payload), loader)) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        }
    }

    /** Deserializes a throwable; if that fails, the failure itself stands in for it. */
    Throwable decodeThrowable(byte[] payload) {
        try {
            return (Throwable) decode(payload);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return e;
        }
    }

    /**
     * Serializes a throwable a task threw; if it (or its cause chain) cannot be serialized, sends
     * a {@link RemoteTaskException} copy with the same type name, message and stack trace instead.
     */
    static byte[] encodeThrowable(Throwable t) throws IOException {
        try {
            return encode(t);
        } catch (IOException | RuntimeException e) {
            return encode(RemoteTaskException.copyOf(t));
        }
    }

    /** Whether an exception from {@link #encode} means the object graph holds something unsendable. */
    static boolean unsendable(Exception e) {
        return e instanceof java.io.NotSerializableException
                || e instanceof InvalidClassException
                || (e instanceof IOException && e.getCause() instanceof java.io.NotSerializableException);
    }

    /** An input stream that resolves classes in a given loader first. */
    private static final class Input extends ObjectInputStream {
        private final ClassLoader loader;

        Input(ByteArrayInputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (loader != null) {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    // fall back to the default lookup (primitives, JDK classes)
                }
            }
            return super.resolveClass(desc);
        }
    }
}
