package dev.forkwise.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serializable lambdas and method references as codec values, without a Java serialization stream:
 * the lambda's <em>form</em> and its captured values, each captured value encoded by the {@link
 * Codec} like any other.
 *
 * <h2>Implementation overview</h2>
 *
 * <p>A serializable lambda's class has a {@code writeReplace} method that returns a {@link
 * SerializedLambda}: the call site's shape (the capturing class, the functional interface and its
 * method, the implementation method, the instantiated type) and the captured values. The shape is
 * the same for every instance of the class. The sending side reads it once per class, writes it
 * into a few hundred bytes (the <em>form</em>) and numbers it; each instance then costs only its
 * captured values. The form travels in one of two ways:
 *
 * <ul>
 *   <li><b>Numbered</b>, on a connection that keeps state (a worker's {@code Wire}): the message
 *       holds the form's number ({@link Message#forms()} lists them), and the connection sends each
 *       form once, before the first message that uses it; the receiving end keeps them in its
 *       {@link Forms}.
 *   <li><b>Inline</b>, everywhere else (results, IPC messages, a cluster's tasks): the form's bytes
 *       are in the message, and the receiving codec keeps what it decoded by those bytes.
 * </ul>
 *
 * <p>The receiving side rebuilds the lambda as Java serialization does, through the capturing
 * class's own {@code $deserializeLambda$}, which creates only the lambdas that class declares
 * serializable, and only after the capturing class has passed the {@link ClassFilter}. Captured
 * values went through the codec's own paths, so whatever is not plain data among them still passed
 * the filter. A lambda that captures nothing has no state, so its one instance is kept and shared.
 *
 * <p>A lambda whose {@code writeReplace} forkwise may not call (its class is in a named module that
 * does not open its package) is sent by Java serialization, as before.
 */
final class Lambdas {

    private Lambdas() {}

    private static final AtomicInteger NUMBERS = new AtomicInteger();

    /** Every form this JVM has numbered, by number: what a connection sends before first use. */
    private static final Map<Integer, byte[]> BY_NUMBER = new ConcurrentHashMap<>();

    private static final ClassValue<Sender> SENDERS =
            new ClassValue<>() {
                @Override
                protected Sender computeValue(Class<?> c) {
                    return Sender.of(c);
                }
            };

    /**
     * How instances of {@code c} are sent, or null when {@code c} is not a serializable lambda that
     * this path can open.
     */
    static Sender sender(Class<?> c) {
        Sender s = SENDERS.get(c); // decided once per class
        return s.writeReplace == null ? null : s;
    }

    /**
     * The bytes of form {@code number}.
     *
     * @throws IllegalArgumentException if this JVM never numbered it
     */
    static byte[] formBytes(int number) {
        byte[] b = BY_NUMBER.get(number);
        if (b == null) {
            throw new IllegalArgumentException("no lambda form has the number " + number);
        }
        return b;
    }

    /** The sending side of one lambda class. */
    static final class Sender {
        private final Method writeReplace;
        private volatile Form form;

        private Sender(Method writeReplace) {
            this.writeReplace = writeReplace;
        }

        static Sender of(Class<?> c) {
            if (!c.isHidden()
                    || !Serializable.class.isAssignableFrom(c)
                    || !c.getName().contains("$$Lambda")) {
                return new Sender(null); // not a serializable lambda
            }
            try {
                Method m = c.getDeclaredMethod("writeReplace");
                m.setAccessible(true);
                return new Sender(m);
            } catch (NoSuchMethodException | RuntimeException e) {
                // not a serializable lambda, or in a module that does not open it to forkwise
                return new Sender(null);
            }
        }

        /**
         * Opens {@code lambda}: its {@link SerializedLambda}, whose form is numbered on first use;
         * null if its {@code writeReplace} gives anything else (then it is not a lambda).
         */
        SerializedLambda open(Object lambda) throws IOException {
            Object r;
            try {
                r = writeReplace.invoke(lambda);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IOException("cannot open the lambda " + lambda.getClass().getName(), e);
            }
            if (!(r instanceof SerializedLambda sl)) {
                return null;
            }
            if (form == null) {
                numberOnce(sl);
            }
            return sl;
        }

        /**
         * The form of this class's lambdas; valid once {@link #open} has been called.
         *
         * @return the form
         */
        Form form() {
            return form;
        }

        private synchronized void numberOnce(SerializedLambda sl) throws IOException {
            if (form == null) {
                byte[] bytes = Form.write(sl);
                int number = NUMBERS.incrementAndGet();
                BY_NUMBER.put(number, bytes);
                form = new Form(number, bytes, sl.getCapturedArgCount());
            }
        }
    }

    /**
     * A lambda class's form, numbered in this JVM.
     *
     * @param number its number in this JVM
     * @param bytes the call site's shape, as {@link #write} writes it
     * @param captures how many values each instance captures
     */
    record Form(int number, byte[] bytes, int captures) {

        private static final int VERSION = 1;

        static byte[] write(SerializedLambda sl) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream(256);
            try (DataOutputStream out = new DataOutputStream(b)) {
                out.writeByte(VERSION);
                out.writeUTF(sl.getCapturingClass().replace('/', '.'));
                out.writeUTF(sl.getFunctionalInterfaceClass());
                out.writeUTF(sl.getFunctionalInterfaceMethodName());
                out.writeUTF(sl.getFunctionalInterfaceMethodSignature());
                out.writeByte(sl.getImplMethodKind());
                out.writeUTF(sl.getImplClass());
                out.writeUTF(sl.getImplMethodName());
                out.writeUTF(sl.getImplMethodSignature());
                out.writeUTF(sl.getInstantiatedMethodType());
                out.writeShort(sl.getCapturedArgCount());
            }
            return b.toByteArray();
        }
    }

    /**
     * The receiving side of one form: builds instances from captured values.
     *
     * <p>Thread-safe: a codec decodes on many threads at once.
     */
    static final class Shape {
        private final Class<?> capturing;
        private final String functionalInterface;
        private final String interfaceMethod;
        private final String interfaceSignature;
        private final int implKind;
        private final String implClass;
        private final String implMethod;
        private final String implSignature;
        private final String instantiatedType;
        private final int captures;

        /** The capturing class's {@code $deserializeLambda$}, or null where it is not callable. */
        private final Method deserialize;

        /** The one instance of a lambda that captures nothing, once built. */
        private volatile Object shared;

        private Shape(Class<?> capturing, DataInputStream in) throws IOException {
            this.capturing = capturing;
            this.functionalInterface = in.readUTF();
            this.interfaceMethod = in.readUTF();
            this.interfaceSignature = in.readUTF();
            this.implKind = in.readByte();
            this.implClass = in.readUTF();
            this.implMethod = in.readUTF();
            this.implSignature = in.readUTF();
            this.instantiatedType = in.readUTF();
            this.captures = in.readShort();
            if (captures < 0) {
                throw new StreamCorruptedException("a lambda form with " + captures + " captures");
            }
            Method m;
            try {
                m = capturing.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
                m.setAccessible(true);
            } catch (NoSuchMethodException | RuntimeException e) {
                m = null; // a named module that does not open it: Java serialization rebuilds it
            }
            this.deserialize = m;
        }

        /**
         * Reads a form, loading its capturing class in {@code loader} once {@code filter} has
         * allowed it.
         */
        static Shape read(byte[] form, ClassLoader loader, ObjectInputFilter filter)
                throws IOException, ClassNotFoundException {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(form));
            int version = in.readByte();
            if (version != Form.VERSION) {
                throw new StreamCorruptedException("a lambda form of version " + version);
            }
            String name = in.readUTF();
            Class<?> c = Class.forName(name, false, loader);
            ObjectInputFilter.Status s = filter.checkInput(new Checked(c));
            if (s == ObjectInputFilter.Status.REJECTED) {
                throw new InvalidClassException(
                        name, "filter status: REJECTED (the class of a lambda's call site)");
            }
            return new Shape(c, in);
        }

        /**
         * @return how many captured values follow the form in a message
         */
        int captures() {
            return captures;
        }

        /**
         * Builds the lambda that captured {@code values}; {@code codec} rebuilds it by Java
         * serialization where {@code $deserializeLambda$} may not be called.
         */
        Object instantiate(Object[] values, Codec codec)
                throws IOException, ClassNotFoundException {
            Object s = shared;
            if (s != null) {
                return s;
            }
            SerializedLambda sl =
                    new SerializedLambda(
                            capturing,
                            functionalInterface,
                            interfaceMethod,
                            interfaceSignature,
                            implKind,
                            implClass,
                            implMethod,
                            implSignature,
                            instantiatedType,
                            values);
            Object f;
            if (deserialize != null) {
                try {
                    f = deserialize.invoke(null, sl);
                } catch (IllegalAccessException e) {
                    throw new InvalidClassException(capturing.getName(), e.toString());
                } catch (InvocationTargetException e) {
                    // the capturing class declares no such serializable lambda
                    InvalidClassException why =
                            new InvalidClassException(
                                    capturing.getName(),
                                    "no serializable lambda of this shape: " + e.getCause());
                    why.initCause(e.getCause());
                    throw why;
                }
            } else {
                f = codec.viaSerialization(sl);
            }
            if (captures == 0) {
                shared = f;
            }
            return f;
        }
    }

    /** What the class filter is shown for a lambda's capturing class. */
    private record Checked(Class<?> serialClass) implements ObjectInputFilter.FilterInfo {
        @Override
        public long arrayLength() {
            return -1;
        }

        @Override
        public long depth() {
            return 1;
        }

        @Override
        public long references() {
            return 0;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }
}
