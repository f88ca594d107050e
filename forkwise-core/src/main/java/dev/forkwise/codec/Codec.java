package dev.forkwise.codec;

import dev.forkwise.RemoteTaskException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.StreamCorruptedException;
import java.lang.invoke.SerializedLambda;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns tasks, inputs, results and exceptions into messages and back.
 *
 * <h2>Implementation overview</h2>
 *
 * <p>A message is a tagged tree of values with fast paths for what tasks pass most: {@code null},
 * boxed primitives, {@code String}, {@code byte[]}, {@code Object[]}, the engine's own task
 * wrappers ({@link Portable}: a map chunk is its function plus an array of inputs) and serializable
 * lambdas ({@link Lambdas}: the call site's form, then each captured value as a value of the tree).
 * Everything else is written with Java serialization into one stream at the end of the message,
 * shared by all such values of the message, and read back behind a filter (below). The body is
 * {@code int valuesLength, values, serialization stream}. A {@code byte[]} of 64 KiB or more does
 * not go into the body at all but travels as an attachment of the {@link Message}, which a
 * transport sends beside the body. An {@code Object[]} whose elements are all {@code Integer}, all
 * {@code Long} or all {@code Double} (a {@code map} chunk of numbers, or its results) is packed:
 * one tag and the raw values, decoded in one loop, so a million boxed numbers cost two tight loops
 * rather than a million tagged values.
 *
 * <p>A lambda's form is the same for every instance of its class, so the sending side writes it
 * once per class; a message carries it inline ({@link #encode}), or, on a connection that sends
 * each form once, just its number ({@link #encodeNumbered}, {@link Forms}). The receiving side
 * keeps what it decoded of each form, so {@code () -> work(k)} costs either side its captured
 * values and no serialization stream. A lambda that captures nothing has no state, so its one
 * decoded instance is shared.
 *
 * <h2>What serialization may create</h2>
 *
 * <p>The fast-path values above are plain data. What comes through Java serialization passes the
 * {@link ClassFilter}: the application's classes and the JDK's value-like ones, nothing else.
 *
 * <p>Each message has its own serialization stream, so no state carries from one message to the
 * next.
 */
public final class Codec {

    private static final int[] NO_FORMS = new int[0];
    private static final byte[][] NO_ATTACHMENTS = new byte[0][];

    private static final byte NULL = 0;
    private static final byte JAVA = 1;
    private static final byte TRUE = 2;
    private static final byte FALSE = 3;
    private static final byte INT = 4;
    private static final byte LONG = 5;
    private static final byte DOUBLE = 6;
    private static final byte FLOAT = 7;
    private static final byte SHORT = 8;
    private static final byte BYTE = 9;
    private static final byte CHAR = 10;
    private static final byte STRING = 11;
    private static final byte BYTES = 12;
    private static final byte ATTACHED = 13;
    private static final byte OBJECTS = 14;
    private static final byte PORTABLE = 15;
    private static final byte LAMBDA_FORM = 16;
    private static final byte PACKED_INTS = 17;
    private static final byte PACKED_LONGS = 18;
    private static final byte PACKED_DOUBLES = 19;
    private static final byte LAMBDA_REF = 20;

    /** Arrays of at least this many bytes travel as frame attachments. */
    public static final int ATTACH_AT = 1 << 16;

    /** Nesting depth past which arrays go through serialization (which handles cycles). */
    private static final int MAX_DEPTH = 32;

    /** Most inline lambda forms one codec keeps decoded. */
    private static final int MAX_LAMBDAS = 256;

    private final ObjectInputFilter filter;
    private final ClassLoader loader;
    private final Portable.Factory tasks;
    private final Map<Bytes, Lambdas.Shape> lambdas = new ConcurrentHashMap<>();

    /**
     * Creates a codec.
     *
     * @param pattern the user's extra ObjectInputFilter pattern, or null
     * @param loader where to look up classes when decoding
     * @param tasks how to put tasks back together ({@link Portable.Factory#NONE} where only values
     *     come)
     */
    public Codec(String pattern, ClassLoader loader, Portable.Factory tasks) {
        this.filter = new ClassFilter(pattern);
        this.loader = loader;
        this.tasks = tasks;
    }

    /**
     * @return the class loader this codec resolves classes in
     */
    public ClassLoader loader() {
        return loader;
    }

    /**
     * Encodes {@code o}, copying large arrays (the caller may change them after a submit).
     *
     * @throws IOException what serialization throws for a value that cannot be sent
     */
    public static Message encode(Object o) throws IOException {
        return encode(o, true);
    }

    /**
     * Encodes {@code o}.
     *
     * @param copyLarge whether arrays that travel as attachments are copied first; {@code false}
     *     only when nothing can change them before the message is written (a finished task's
     *     result)
     */
    public static Message encode(Object o, boolean copyLarge) throws IOException {
        Encoder e = new Encoder(copyLarge, true, false);
        e.value(o, 0);
        return e.finish();
    }

    /**
     * Encodes {@code o} for a connection that sends each lambda form once: the message names its
     * lambdas' forms by number ({@link Message#forms()}), and the connection must send each of
     * those ({@link Forms#bytes}) before the message, unless it already has.
     *
     * @param copyLarge as for {@link #encode(Object, boolean)}
     */
    public static Message encodeNumbered(Object o, boolean copyLarge) throws IOException {
        Encoder e = new Encoder(copyLarge, true, true);
        e.value(o, 0);
        return e.finish();
    }

    /** Encodes {@code o} into the body alone: large arrays too, no attachments (for IPC rings). */
    public static Message encodeFlat(Object o) throws IOException {
        Encoder e = new Encoder(false, false, false);
        e.value(o, 0);
        return e.finish();
    }

    /** Decodes a message; serialized values pass the filter. */
    public Object decode(Message m) throws IOException, ClassNotFoundException {
        return decode(m, null);
    }

    /**
     * Decodes a message that may name lambda forms by number ({@link #encodeNumbered}).
     *
     * @param forms the forms the message's connection has received, or null for none
     */
    public Object decode(Message m, Forms forms) throws IOException, ClassNotFoundException {
        try {
            return new Decoder(m, forms).top();
        } catch (RuntimeException e) {
            // a damaged message (serialization itself throws unchecked exceptions on some), or a
            // class whose own readObject/constructor rejected what it was given
            StreamCorruptedException why =
                    new StreamCorruptedException("the message cannot be read: " + e);
            why.initCause(e);
            throw why;
        }
    }

    /**
     * Decodes a {@code map} chunk's results: like {@link #decode(Message)}, except that results
     * that came packed stay packed ({@link Packed}), one primitive array.
     */
    public Object decodeResults(Message m) throws IOException, ClassNotFoundException {
        try {
            return new Decoder(m, null).topResults();
        } catch (RuntimeException e) {
            StreamCorruptedException why =
                    new StreamCorruptedException("the message cannot be read: " + e);
            why.initCause(e);
            throw why;
        }
    }

    /** Decodes a message that is just these bytes. */
    public Object decode(byte[] bytes) throws IOException, ClassNotFoundException {
        return decode(Message.of(bytes));
    }

    /** Decodes a throwable; if that fails, the failure itself stands in for it. */
    public Throwable decodeThrowable(Message m) {
        try {
            return (Throwable) decode(m);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return e;
        }
    }

    /**
     * Encodes a throwable a task threw; if it (or its cause chain) cannot be serialized, sends a
     * {@link RemoteTaskException} copy with the same type name, message and stack trace instead.
     */
    public static Message encodeThrowable(Throwable t) throws IOException {
        try {
            return encode(t, false);
        } catch (IOException | RuntimeException e) {
            return encode(RemoteTaskException.copyOf(t), false);
        }
    }

    /** Deserializes one Java serialization stream through the filter. */
    private Object readJava(byte[] b, int from, int length)
            throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = javaInput(b, from, length)) {
            return in.readObject();
        }
    }

    private ObjectInputStream javaInput(byte[] b, int from, int length) throws IOException {
        ObjectInputStream in = new Input(new ByteArrayInputStream(b, from, length), loader);
        // no array can have more elements than the stream has bytes: a damaged length is refused
        // before it is allocated
        in.setObjectInputFilter(
                info ->
                        info.arrayLength() > length
                                ? ObjectInputFilter.Status.REJECTED
                                : filter.checkInput(info));
        return in;
    }

    /** Reads a lambda form with this codec's loader and filter. */
    Lambdas.Shape shape(byte[] form) throws IOException, ClassNotFoundException {
        return Lambdas.Shape.read(form, loader, filter);
    }

    /**
     * Rebuilds a lambda by Java serialization (its capturing class's {@code $deserializeLambda$}
     * may not be called directly): through the filter like any serialized value.
     */
    Object viaSerialization(SerializedLambda sl) throws IOException, ClassNotFoundException {
        byte[] b = serialize(sl);
        return readJava(b, 0, b.length);
    }

    /** Byte-array content as a map key. */
    private record Bytes(byte[] b, int hash) {
        Bytes(byte[] b) {
            this(b, Arrays.hashCode(b));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes other && hash == other.hash && Arrays.equals(b, other.b);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * Writes one message: values into a growing body, other objects into one serialization stream.
     */
    private static final class Encoder {
        private final boolean copyLarge;
        private final boolean attach;
        private final boolean numbered;
        private int[] forms = NO_FORMS;
        private int formCount;
        private byte[] buf = new byte[64]; // a task's message mostly fits; it doubles as needed
        private int pos = 4; // the values' length goes first
        private ByteArrayOutputStream javaBytes;
        private ObjectOutputStream java;
        private List<byte[]> attachments;

        Encoder(boolean copyLarge, boolean attach, boolean numbered) {
            this.copyLarge = copyLarge;
            this.attach = attach;
            this.numbered = numbered;
        }

        void value(Object o, int depth) throws IOException {
            switch (o) {
                case null -> put(NULL);
                case Integer i -> {
                    put(INT);
                    putInt(i);
                }
                case Long l -> {
                    put(LONG);
                    putLong(l);
                }
                case String s -> {
                    byte[] b = s.getBytes(StandardCharsets.UTF_8);
                    put(STRING);
                    putInt(b.length);
                    putBytes(b, 0, b.length);
                }
                case Double d -> {
                    put(DOUBLE);
                    putLong(Double.doubleToRawLongBits(d));
                }
                case Boolean b -> put(b ? TRUE : FALSE);
                case byte[] b -> {
                    if (attach && b.length >= ATTACH_AT) {
                        if (attachments == null) {
                            attachments = new ArrayList<>(2);
                        }
                        put(ATTACHED);
                        putInt(attachments.size());
                        attachments.add(copyLarge ? b.clone() : b);
                    } else {
                        put(BYTES);
                        putInt(b.length);
                        putBytes(b, 0, b.length);
                    }
                }
                case Float f -> {
                    put(FLOAT);
                    putInt(Float.floatToRawIntBits(f));
                }
                case Short s -> {
                    put(SHORT);
                    putInt(s);
                }
                case Byte b -> {
                    put(BYTE);
                    put(b);
                }
                case Character c -> {
                    put(CHAR);
                    putInt(c);
                }
                case Portable p -> {
                    put(PORTABLE);
                    put(p.shape().tag());
                    Object[] c = p.components();
                    putInt(c.length);
                    for (Object x : c) {
                        value(x, depth + 1);
                    }
                }
                default -> other(o, depth);
            }
        }

        private void other(Object o, int depth) throws IOException {
            Class<?> c = o.getClass();
            if (c == Object[].class && depth < MAX_DEPTH) {
                Object[] a = (Object[]) o;
                if (a.length > 1 && packed(a)) {
                    return;
                }
                ensure(5 + a.length * 5L); // most elements are small: fewer regrowths of the body
                put(OBJECTS);
                putInt(a.length);
                for (Object x : a) {
                    value(x, depth + 1);
                }
                return;
            }
            if (depth < MAX_DEPTH && lambda(o, c, depth)) {
                return;
            }
            if (java == null) {
                javaBytes = new ByteArrayOutputStream(256);
                java = new ObjectOutputStream(javaBytes);
            }
            java.writeObject(o);
            put(JAVA);
        }

        /**
         * Writes {@code o} as a form and its captured values if it is a lambda this path can open
         * ({@link Lambdas}); says whether it did.
         */
        private boolean lambda(Object o, Class<?> c, int depth) throws IOException {
            Lambdas.Sender sender = Lambdas.sender(c);
            if (sender == null) {
                return false;
            }
            SerializedLambda sl = sender.open(o);
            if (sl == null) {
                return false;
            }
            Lambdas.Form form = sender.form();
            if (numbered) {
                put(LAMBDA_REF);
                putInt(form.number());
                addForm(form.number());
            } else {
                byte[] b = form.bytes();
                put(LAMBDA_FORM);
                putInt(b.length);
                putBytes(b, 0, b.length);
            }
            for (int i = 0; i < form.captures(); i++) {
                value(sl.getCapturedArg(i), depth + 1);
            }
            return true;
        }

        private void addForm(int number) {
            for (int i = 0; i < formCount; i++) {
                if (forms[i] == number) {
                    return;
                }
            }
            if (formCount == forms.length) {
                forms = Arrays.copyOf(forms, Math.max(4, formCount * 2));
            }
            forms[formCount++] = number;
        }

        /**
         * Writes {@code a} packed if its elements are all of one boxed number class; says whether
         * it did.
         */
        private boolean packed(Object[] a) {
            Object first = a[0];
            if (first instanceof Integer) {
                int[] v = unboxInts(a);
                if (v != null) {
                    putPacked(PACKED_INTS, v.length, 4).asIntBuffer().put(v);
                    return true;
                }
            } else if (first instanceof Long) {
                long[] v = unboxLongs(a);
                if (v != null) {
                    putPacked(PACKED_LONGS, v.length, 8).asLongBuffer().put(v);
                    return true;
                }
            } else if (first instanceof Double) {
                double[] v = unboxDoubles(a);
                if (v != null) {
                    // a bulk copy moves raw bits: a NaN's payload survives
                    putPacked(PACKED_DOUBLES, v.length, 8).asDoubleBuffer().put(v);
                    return true;
                }
            }
            return false;
        }

        /**
         * Writes a packed array's tag and length and returns a big-endian view of room for its
         * values.
         */
        private ByteBuffer putPacked(byte tag, int n, int width) {
            ensure(5 + (long) n * width);
            buf[pos++] = tag;
            int32(buf, pos, n);
            pos += 4;
            ByteBuffer room = ByteBuffer.wrap(buf, pos, n * width);
            pos += n * width;
            return room;
        }

        Message finish() throws IOException {
            int values = pos - 4;
            buf[0] = (byte) (values >>> 24);
            buf[1] = (byte) (values >>> 16);
            buf[2] = (byte) (values >>> 8);
            buf[3] = (byte) values;
            if (java != null) {
                java.flush();
                byte[] j = javaBytes.toByteArray();
                putBytes(j, 0, j.length);
            }
            return new Message(
                    buf,
                    pos,
                    attachments == null ? NO_ATTACHMENTS : attachments.toArray(NO_ATTACHMENTS),
                    formCount == forms.length ? forms : Arrays.copyOf(forms, formCount));
        }

        private void ensure(long n) {
            if (buf.length - pos < n) {
                long want = Math.max((long) buf.length * 2, pos + n);
                if (want > Integer.MAX_VALUE - 64) {
                    want = (long) pos + n;
                }
                buf = Arrays.copyOf(buf, Math.toIntExact(want));
            }
        }

        private void put(byte b) {
            ensure(1);
            buf[pos++] = b;
        }

        private void putInt(int v) {
            ensure(4);
            int32(buf, pos, v);
            pos += 4;
        }

        private void putLong(long v) {
            ensure(8);
            int64(buf, pos, v);
            pos += 8;
        }

        private void putBytes(byte[] b, int from, int n) {
            ensure(n);
            System.arraycopy(b, from, buf, pos, n);
            pos += n;
        }
    }

    private static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    // Plain shifts rather than a byte-array VarHandle: a new worker runs these loops interpreted
    // until the JIT has compiled them, and an interpreted VarHandle access costs about ten times
    // as much; compiled, C2 merges the byte stores and loads into one access either way.

    private static void int32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static void int64(byte[] b, int at, long v) {
        int32(b, at, (int) (v >>> 32));
        int32(b, at + 4, (int) v);
    }

    private static int int32(byte[] b, int at) {
        return (b[at] & 0xff) << 24
                | (b[at + 1] & 0xff) << 16
                | (b[at + 2] & 0xff) << 8
                | (b[at + 3] & 0xff);
    }

    private static long int64(byte[] b, int at) {
        return (long) int32(b, at) << 32 | (int32(b, at + 4) & 0xffffffffL);
    }

    // The packed arrays' loops: each is a small method of its own with one loop and nothing else.
    // A new worker runs a big map's first chunks while the JIT compiles these loops, and on a
    // machine with few cores that compile time comes out of the map: with the loops inside the
    // encoder's and decoder's big methods (and with the byte conversion inside the loops), C2 took
    // two to four times as long. The byte order conversion is one bulk copy through a buffer view,
    // outside any loop, which runs at memory speed before anything is compiled.

    private static int[] ints(byte[] b, int at, int n) {
        int[] v = new int[n];
        ByteBuffer.wrap(b, at, n * 4).asIntBuffer().get(v);
        return v;
    }

    private static long[] longs(byte[] b, int at, int n) {
        long[] v = new long[n];
        ByteBuffer.wrap(b, at, n * 8).asLongBuffer().get(v);
        return v;
    }

    private static double[] doubles(byte[] b, int at, int n) {
        double[] v = new double[n];
        ByteBuffer.wrap(b, at, n * 8).asDoubleBuffer().get(v);
        return v;
    }

    /** {@code a}'s values if its elements are all {@code Integer}; else null. */
    private static int[] unboxInts(Object[] a) {
        int[] v = new int[a.length];
        for (int i = 0; i < v.length; i++) {
            if (!(a[i] instanceof Integer x)) {
                return null;
            }
            v[i] = x;
        }
        return v;
    }

    /** {@code a}'s values if its elements are all {@code Long}; else null. */
    private static long[] unboxLongs(Object[] a) {
        long[] v = new long[a.length];
        for (int i = 0; i < v.length; i++) {
            if (!(a[i] instanceof Long x)) {
                return null;
            }
            v[i] = x;
        }
        return v;
    }

    /** {@code a}'s values if its elements are all {@code Double}; else null. */
    private static double[] unboxDoubles(Object[] a) {
        double[] v = new double[a.length];
        for (int i = 0; i < v.length; i++) {
            if (!(a[i] instanceof Double x)) {
                return null;
            }
            v[i] = x;
        }
        return v;
    }

    private static Object[] box(int[] v) {
        Object[] a = new Object[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = v[i];
        }
        return a;
    }

    private static Object[] box(long[] v) {
        Object[] a = new Object[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = v[i];
        }
        return a;
    }

    private static Object[] box(double[] v) {
        Object[] a = new Object[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = v[i];
        }
        return a;
    }

    /** Reads one message. */
    private final class Decoder {
        private final Forms forms;
        private final byte[] b;
        private final byte[][] attachments;
        private final int end;
        private final int javaEnd;
        private int pos;
        private ObjectInputStream java;

        Decoder(Message m, Forms forms) throws StreamCorruptedException {
            this.forms = forms;
            this.b = m.body();
            this.attachments = m.attachments();
            if (m.length() < 4) {
                throw new StreamCorruptedException(
                        "message of " + m.length() + " bytes has no values");
            }
            int values = int32(b, 0);
            if (values < 0 || values > m.length() - 4) {
                throw new StreamCorruptedException("bad values length " + values);
            }
            this.pos = 4;
            this.end = 4 + values;
            this.javaEnd = m.length();
        }

        Object topResults() throws IOException, ClassNotFoundException {
            if (packedNext()) {
                Object packed = packed();
                if (pos != end) {
                    throw new StreamCorruptedException(
                            "message has " + (end - pos) + " bytes after its value");
                }
                return packed;
            }
            return top();
        }

        Object top() throws IOException, ClassNotFoundException {
            Object o = value();
            if (pos != end) {
                throw new StreamCorruptedException(
                        "message has " + (end - pos) + " bytes after its value");
            }
            if (java != null) {
                java.close();
            }
            return o;
        }

        /** Whether the next value is a packed array. */
        private boolean packedNext() {
            return pos < end
                    && (b[pos] == PACKED_INTS
                            || b[pos] == PACKED_LONGS
                            || b[pos] == PACKED_DOUBLES);
        }

        /** Reads the packed array that comes next, unboxed. */
        private Packed packed() throws StreamCorruptedException {
            byte tag = b[pos++];
            int n = packedLength(tag == PACKED_INTS ? 4 : 8);
            Packed packed =
                    tag == PACKED_INTS
                            ? Packed.ofInts(ints(b, pos, n))
                            : tag == PACKED_LONGS
                                    ? Packed.ofLongs(longs(b, pos, n))
                                    : Packed.ofDoubles(doubles(b, pos, n));
            pos += n * (tag == PACKED_INTS ? 4 : 8);
            return packed;
        }

        /** The next value, unboxed if it is a packed array. */
        private Object packedOrValue() throws IOException, ClassNotFoundException {
            return packedNext() ? packed() : value();
        }

        private Object value() throws IOException, ClassNotFoundException {
            if (pos >= end) {
                throw new StreamCorruptedException("message ends early");
            }
            byte tag = b[pos++];
            return switch (tag) {
                case NULL -> null;
                case INT -> getInt();
                case LONG -> getLong();
                case STRING -> {
                    int n = length();
                    String s = new String(b, pos, n, StandardCharsets.UTF_8);
                    pos += n;
                    yield s;
                }
                case DOUBLE -> Double.longBitsToDouble(getLong());
                case TRUE -> Boolean.TRUE;
                case FALSE -> Boolean.FALSE;
                case BYTES -> {
                    int n = length();
                    byte[] a = Arrays.copyOfRange(b, pos, pos + n);
                    pos += n;
                    yield a;
                }
                case ATTACHED -> attachments[getInt()];
                case FLOAT -> Float.intBitsToFloat(getInt());
                case SHORT -> (short) getInt();
                case BYTE -> b[pos++];
                case CHAR -> (char) getInt();
                case OBJECTS -> {
                    Object[] a = new Object[length()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = value();
                    }
                    yield a;
                }
                case PACKED_INTS -> {
                    int n = packedLength(4);
                    Object[] a = box(ints(b, pos, n));
                    pos += n * 4;
                    yield a;
                }
                case PACKED_LONGS -> {
                    int n = packedLength(8);
                    Object[] a = box(longs(b, pos, n));
                    pos += n * 8;
                    yield a;
                }
                case PACKED_DOUBLES -> {
                    int n = packedLength(8);
                    Object[] a = box(doubles(b, pos, n));
                    pos += n * 8;
                    yield a;
                }
                case PORTABLE -> {
                    Portable.Shape shape = Portable.Shape.ofTag(b[pos++]);
                    Object[] c = new Object[length()];
                    if (c.length != shape.components().size()) {
                        throw new StreamCorruptedException(
                                "a " + shape + " task with " + c.length + " components");
                    }
                    for (int i = 0; i < c.length; i++) {
                        c[i] = shape.takesPacked(i) ? packedOrValue() : value();
                    }
                    yield tasks.rebuild(shape, c);
                }
                case LAMBDA_FORM -> {
                    int n = length();
                    Bytes key = new Bytes(Arrays.copyOfRange(b, pos, pos + n));
                    pos += n;
                    Lambdas.Shape shape = lambdas.get(key);
                    if (shape == null) {
                        shape = shape(key.b());
                        if (lambdas.size() >= MAX_LAMBDAS) {
                            lambdas.clear();
                        }
                        lambdas.put(key, shape);
                    }
                    yield lambda(shape);
                }
                case LAMBDA_REF -> {
                    int number = getInt();
                    if (forms == null) {
                        throw new StreamCorruptedException(
                                "a numbered lambda form in a message without a connection's forms");
                    }
                    yield lambda(forms.shape(number, Codec.this));
                }
                case JAVA -> {
                    if (java == null) {
                        java = javaInput(b, end, javaEnd - end);
                    }
                    yield java.readObject();
                }
                default -> throw new StreamCorruptedException("unknown value tag " + tag);
            };
        }

        /** Reads a lambda's captured values and builds it. */
        private Object lambda(Lambdas.Shape shape) throws IOException, ClassNotFoundException {
            int n = shape.captures();
            if (n > end - pos) {
                throw new StreamCorruptedException("a lambda with " + n + " captured values");
            }
            Object[] values = new Object[n];
            for (int i = 0; i < n; i++) {
                values[i] = value();
            }
            return shape.instantiate(values, Codec.this);
        }

        /** A length that must fit in what is left of the values. */
        private int length() throws StreamCorruptedException {
            int n = getInt();
            if (n < 0 || n > end - pos) {
                throw new StreamCorruptedException("bad length " + n);
            }
            return n;
        }

        /** The element count of a packed array whose elements are {@code width} bytes each. */
        private int packedLength(int width) throws StreamCorruptedException {
            int n = getInt();
            if (n < 0 || (long) n * width > end - pos) {
                throw new StreamCorruptedException("bad packed length " + n);
            }
            return n;
        }

        private int getInt() {
            if (end - pos < 4) {
                throw new IndexOutOfBoundsException("message ends early");
            }
            int v = int32(b, pos);
            pos += 4;
            return v;
        }

        private long getLong() {
            if (end - pos < 8) {
                throw new IndexOutOfBoundsException("message ends early");
            }
            long v = int64(b, pos);
            pos += 8;
            return v;
        }
    }

    /**
     * Whether an exception from {@link #encode} means the object graph holds something unsendable.
     */
    public static boolean unsendable(Exception e) {
        return e instanceof NotSerializableException
                || e instanceof InvalidClassException
                || (e instanceof IOException && e.getCause() instanceof NotSerializableException);
    }

    /** An input stream that resolves classes in a given loader first. */
    private static final class Input extends ObjectInputStream {
        private final ClassLoader loader;

        Input(ByteArrayInputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc)
                throws IOException, ClassNotFoundException {
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
