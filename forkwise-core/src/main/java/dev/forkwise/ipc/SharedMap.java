package dev.forkwise.ipc;

import dev.forkwise.Fn;
import dev.forkwise.Fn2;
import dev.forkwise.codec.Messages;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A map that every worker sees and updates (Python's {@code Manager().dict()}), kept by the process
 * that created it and reached by the others over a private Unix-domain socket.
 *
 * {@snippet :
 * try (SharedMap<String, Integer> words = SharedMap.create()) {
 *     pool.map(line -> {
 *         for (String w : line.split(" ")) {
 *             words.merge(w, 1, Integer::sum);
 *         }
 *         return null;
 *     }, lines);
 *     Map<String, Integer> counts = words.snapshot();
 * }
 * }
 *
 * <h2>Implementation overview</h2>
 *
 * <p>The owner holds a {@link ConcurrentHashMap} and serves it: one virtual thread per connected
 * client, one request and one reply per operation, encoded as a task's values are. In the owner
 * itself every operation goes straight to the map. Another process opens connections on first use
 * and keeps them for the next operation (one per thread that is using the map at that moment), so
 * an update costs one round trip and the owner serves many workers at once; Python's manager serves
 * one request at a time behind its lock and needs two round trips for {@code d[k] += 1}.
 *
 * <p><b>Atomic updates.</b> {@link #compute}, {@link #merge}, {@link #computeIfAbsent} and {@link
 * #putIfAbsent} run in the owner, inside the map's own atomic {@code compute}: the function travels
 * with the request (it must be serializable, as a task is) and no other update of that key comes
 * between its read and its write. A function that throws leaves the entry as it was; its exception
 * is rethrown to the caller (a checked one inside a {@link CompletionException}).
 *
 * <p>Keys and values are copied both ways, and neither may be null (as in {@link
 * ConcurrentHashMap}). Keys compare by {@code equals} in the owner, after decoding.
 *
 * <p><b>The owner going away.</b> The map lives as long as its owner keeps it open. When the owner
 * closes it or exits, every other process's next operation throws {@link IllegalStateException}
 * naming it; nothing waits for ever.
 *
 * <p>Memory consistency effects: actions in a thread before an update happen before actions in any
 * thread after an operation that observes that update.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class SharedMap<K, V> implements AutoCloseable, Serializable {

    @Serial private static final long serialVersionUID = 1L;

    private static final int GET = 1,
            PUT = 2,
            REMOVE = 3,
            CONTAINS = 4,
            SIZE = 5,
            CLEAR = 6,
            PUT_IF_ABSENT = 7,
            COMPUTE = 8,
            MERGE = 9,
            COMPUTE_IF_ABSENT = 10,
            SNAPSHOT = 11;

    /** The operations of a served list ({@link ManagedList}); the key is the index. */
    static final int L_GET = 20,
            L_SET = 21,
            L_ADD = 22,
            L_INSERT = 23,
            L_REMOVE_AT = 24,
            L_SIZE = 25,
            L_SNAPSHOT = 26,
            L_CLEAR = 27,
            L_INDEX_OF = 28;

    /** Maps served by this JVM, by socket path; clients of other JVMs' maps, by path. */
    private static final Map<Path, SharedMap<?, ?>> HERE = new ConcurrentHashMap<>();

    private final transient Path path;
    private final transient ConcurrentHashMap<Object, Object>
            local; // the owner's; null in a client
    private final transient ServerSocketChannel server;
    private final transient Set<SocketChannel> served = ConcurrentHashMap.newKeySet();
    private final transient ArrayDeque<Connection> idle =
            new ArrayDeque<>(); // a client's, guarded by itself
    private transient volatile boolean closed;

    /** The owner's list, when this server serves a {@link ManagedList} instead of a map. */
    private final transient List<Object> list;

    private SharedMap(
            Path path,
            ConcurrentHashMap<Object, Object> local,
            List<Object> list,
            ServerSocketChannel server) {
        this.path = path;
        this.local = local;
        this.list = list;
        this.server = server;
    }

    /** Creates an empty map owned and served by the calling process. */
    public static <K, V> SharedMap<K, V> create() {
        return serve(new ConcurrentHashMap<>(), null);
    }

    /**
     * A server of an empty list, for {@link ManagedList}: the same socket, requests and threads.
     */
    static SharedMap<Object, Object> createList() {
        return serve(null, Collections.synchronizedList(new ArrayList<>()));
    }

    private static <K, V> SharedMap<K, V> serve(
            ConcurrentHashMap<Object, Object> map, List<Object> list) {
        Path path = Segments.newPath("map");
        ServerSocketChannel server;
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            Segments.own(path);
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            Segments.delete(path);
            throw new UncheckedIOException(
                    "cannot open a shared map's socket at " + path + ": " + e.getMessage(), e);
        }
        SharedMap<K, V> served = new SharedMap<>(path, map, list, server);
        HERE.put(path, served);
        Thread.ofPlatform()
                .daemon()
                .name("forkwise-map-" + path.getFileName())
                .start(served::accept);
        return served;
    }

    // ---------------------------------------------------------------------------------- operations

    /**
     * @return the value for {@code key}, or null
     */
    public V get(K key) {
        return call(GET, key, null);
    }

    /** Sets {@code key} to {@code value}; returns the previous value, or null. */
    public V put(K key, V value) {
        return call(PUT, key, Objects.requireNonNull(value, "value"));
    }

    /** Removes {@code key}; returns its value, or null. */
    public V remove(K key) {
        return call(REMOVE, key, null);
    }

    public boolean containsKey(K key) {
        return (Boolean) call(CONTAINS, key, null);
    }

    /** Sets {@code key} to {@code value} unless it has a value; returns that value, or null. */
    public V putIfAbsent(K key, V value) {
        return call(PUT_IF_ABSENT, key, Objects.requireNonNull(value, "value"));
    }

    /**
     * Atomically sets {@code key} to {@code fn(key, current value or null)}, or removes it if that
     * is null; returns the new value. {@code fn} runs in the owning process.
     */
    public V compute(K key, Fn2<? super K, ? super V, ? extends V> fn) {
        return call(COMPUTE, key, Objects.requireNonNull(fn, "fn"));
    }

    /**
     * Atomically sets {@code key} to {@code value} if it has none, else to {@code fn(current,
     * value)} (removing it if that is null); returns the new value. {@code fn} runs in the owner.
     */
    public V merge(K key, V value, Fn2<? super V, ? super V, ? extends V> fn) {
        return call(
                MERGE,
                key,
                new Object[] {
                    Objects.requireNonNull(value, "value"), Objects.requireNonNull(fn, "fn")
                });
    }

    /** Atomically sets {@code key} to {@code fn(key)} if it has no value; returns its value. */
    public V computeIfAbsent(K key, Fn<? super K, ? extends V> fn) {
        return call(COMPUTE_IF_ABSENT, key, Objects.requireNonNull(fn, "fn"));
    }

    public int size() {
        return (Integer) call(SIZE, null, null);
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    public void clear() {
        call(CLEAR, null, null);
    }

    /**
     * @return a copy of the whole map as it is now
     */
    public Map<K, V> snapshot() {
        return call(SNAPSHOT, null, null);
    }

    @SuppressWarnings("unchecked")
    <R> R call(int op, Object key, Object arg) {
        if (op < L_GET && op != SIZE && op != CLEAR && op != SNAPSHOT) {
            Objects.requireNonNull(key, "a shared map's keys cannot be null");
        }
        if (closed) {
            throw new IllegalStateException("this shared map is closed");
        }
        if (list != null) {
            if (op == L_SET || op == L_ADD || op == L_INSERT) {
                sendable("element", arg);
            }
            return (R) applyList(list, op, key, arg);
        }
        if (local != null) {
            if (op == PUT || op == PUT_IF_ABSENT || op == MERGE) {
                // a client's values are encoded on their way; the owner's must be encodable too, or
                // every other process's get and snapshot would fail on them later
                sendable("key", key);
                sendable("value", op == MERGE ? ((Object[]) arg)[0] : arg);
            }
            return (R) apply(local, op, key, arg);
        }
        return (R) remote(op, key, arg);
    }

    /**
     * Throws, naming the problem and the fix, if {@code o} could not be sent to another process.
     */
    private void sendable(String what, Object o) {
        try {
            Messages.encode(o);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot put this "
                            + what
                            + " into "
                            + this
                            + ": "
                            + o.getClass().getName()
                            + " cannot be sent to another process ("
                            + e.getMessage()
                            + "), so every worker's get and snapshot would fail on it. Store"
                            + " serializable values: numbers, strings, records, collections of"
                            + " them, classes that implement java.io.Serializable",
                    e);
        }
    }

    /** One operation on the owner's map. */
    @SuppressWarnings("unchecked")
    private static Object apply(
            ConcurrentHashMap<Object, Object> map, int op, Object key, Object arg) {
        return switch (op) {
            case GET -> map.get(key);
            case PUT -> map.put(key, arg);
            case REMOVE -> map.remove(key);
            case CONTAINS -> map.containsKey(key);
            case SIZE -> map.size();
            case CLEAR -> {
                map.clear();
                yield null;
            }
            case PUT_IF_ABSENT -> map.putIfAbsent(key, arg);
            case COMPUTE ->
                    map.compute(
                            key,
                            (k, v) -> run(() -> ((Fn2<Object, Object, Object>) arg).apply(k, v)));
            case MERGE -> {
                Object[] a = (Object[]) arg;
                yield map.merge(
                        key,
                        a[0],
                        (v, w) -> run(() -> ((Fn2<Object, Object, Object>) a[1]).apply(v, w)));
            }
            case COMPUTE_IF_ABSENT ->
                    map.computeIfAbsent(key, k -> run(() -> ((Fn<Object, Object>) arg).apply(k)));
            case SNAPSHOT -> new HashMap<>(map);
            default -> throw new IllegalArgumentException("unknown shared-map operation " + op);
        };
    }

    private static Object applyList(List<Object> list, int op, Object index, Object arg) {
        return switch (op) {
            case L_GET -> list.get((Integer) index);
            case L_SET -> list.set((Integer) index, arg);
            case L_ADD -> list.add(arg);
            case L_INSERT -> {
                list.add((Integer) index, arg);
                yield null;
            }
            case L_REMOVE_AT -> list.remove((int) (Integer) index);
            case L_SIZE -> list.size();
            case L_SNAPSHOT -> {
                synchronized (list) {
                    yield new ArrayList<>(list);
                }
            }
            case L_CLEAR -> {
                list.clear();
                yield null;
            }
            case L_INDEX_OF -> list.indexOf(arg);
            default -> throw new IllegalArgumentException("unknown shared-list operation " + op);
        };
    }

    private interface Body {
        Object run() throws Exception;
    }

    private static Object run(Body b) {
        try {
            return b.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    // ------------------------------------------------------------------------------------- server

    private void accept() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            served.add(ch);
            Thread.ofPlatform().daemon().name("forkwise-map-client").start(() -> serve(ch));
        }
    }

    private void serve(SocketChannel ch) {
        try (ch;
                DataInputStream in =
                        new DataInputStream(
                                new BufferedInputStream(Channels.newInputStream(ch), 8192));
                DataOutputStream out =
                        new DataOutputStream(
                                new BufferedOutputStream(Channels.newOutputStream(ch), 8192))) {
            while (!closed) {
                byte[] req = new byte[in.readInt()];
                in.readFully(req);
                Object reply;
                boolean ok;
                try {
                    Object[] r = (Object[]) Messages.decode(req);
                    reply =
                            list != null
                                    ? applyList(list, (Integer) r[0], r[1], r[2])
                                    : apply(local, (Integer) r[0], r[1], r[2]);
                    ok = true;
                } catch (Exception | LinkageError e) {
                    reply = e;
                    ok = false;
                }
                Messages.Encoded enc;
                try {
                    enc = Messages.encode(new Object[] {ok, reply});
                } catch (IOException e) {
                    enc =
                            Messages.encode(
                                    new Object[] {
                                        false,
                                        new IllegalStateException(
                                                "the shared map's answer cannot be sent: " + e)
                                    });
                }
                out.writeInt(enc.length());
                out.write(enc.array(), 0, enc.length());
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            served.remove(ch);
        }
    }

    // ------------------------------------------------------------------------------------- client

    /** A client's connection to the owner. */
    private record Connection(SocketChannel channel, DataInputStream in, DataOutputStream out) {}

    private Object remote(int op, Object key, Object arg) {
        Messages.Encoded req;
        try {
            req = Messages.encode(new Object[] {op, key, arg});
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot send this to the shared map: "
                            + e
                            + " (keys, values and functions must be serializable)",
                    e);
        }
        // a socket channel closes itself when a thread with its interrupt status set does I/O on
        // it:
        // a pending interrupt is set aside for this short request and set again after it
        boolean interrupted = Thread.interrupted();
        try {
            return remote(req);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Object remote(Messages.Encoded req) {
        Connection c = borrow();
        Object[] reply;
        try {
            c.out.writeInt(req.length());
            c.out.write(req.array(), 0, req.length());
            c.out.flush();
            byte[] b = new byte[c.in.readInt()];
            c.in.readFully(b);
            reply = (Object[]) Messages.decode(b);
        } catch (IOException | ClassNotFoundException e) {
            close(c);
            throw gone(e);
        }
        give(c);
        if (!(Boolean) reply[0]) {
            Throwable t = (Throwable) reply[1];
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error err) {
                throw err;
            }
            throw new CompletionException(t);
        }
        return reply[1];
    }

    private Connection borrow() {
        synchronized (idle) {
            Connection c = idle.poll();
            if (c != null) {
                return c;
            }
        }
        try {
            SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path));
            return new Connection(
                    ch,
                    new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 8192)),
                    new DataOutputStream(
                            new BufferedOutputStream(Channels.newOutputStream(ch), 8192)));
        } catch (IOException e) {
            throw gone(e);
        }
    }

    private void give(Connection c) {
        synchronized (idle) {
            if (!closed) {
                idle.push(c);
                return;
            }
        }
        close(c);
    }

    private static void close(Connection c) {
        try {
            c.channel.close();
        } catch (IOException e) {
            // going anyway
        }
    }

    private IllegalStateException gone(Exception e) {
        return new IllegalStateException(
                "the shared map "
                        + path.getFileName()
                        + " is gone: the process that created it closed it or exited ("
                        + e
                        + ")",
                e);
    }

    /**
     * In the owner: stops serving and deletes the socket; every other process's next operation
     * fails. Elsewhere: closes this process's connections. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        HERE.remove(path, this);
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                // deleted below anyway
            }
            for (SocketChannel ch : served) {
                try {
                    ch.close();
                } catch (IOException e) {
                    // going anyway
                }
            }
            Segments.delete(path);
        }
        synchronized (idle) {
            idle.forEach(SharedMap::close);
            idle.clear();
        }
    }

    @Override
    public String toString() {
        return (list != null ? "ManagedList[" : "SharedMap[")
                + path.getFileName()
                + (local != null || list != null ? ", owner" : "")
                + "]";
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        return new MapRef(path.toString());
    }

    /** A shared map in transit: its socket's path. */
    private record MapRef(String path) implements Serializable {
        @Serial
        private Object readResolve() throws ObjectStreamException {
            Path p = Path.of(path);
            return HERE.computeIfAbsent(p, q -> new SharedMap<>(q, null, null, null));
        }
    }
}
