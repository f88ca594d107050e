package dev.forkwise.ipc;

import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * What every shared primitive is: a handle on one {@link Segment}. A handle is serializable, so a
 * task can capture it; it travels as its segment's path ({@link Ref}) and arrives as a handle on
 * the same memory, mapped in the receiving JVM without copying (a JVM maps each segment once and
 * gives every arriving copy of a handle the same object).
 */
abstract class Handle implements AutoCloseable, Serializable {

    @Serial private static final long serialVersionUID = 1L;

    final transient Segment segment;
    final transient MemorySegment memory;

    Handle(Segment segment) {
        this.segment = segment;
        this.memory = segment.memory;
        segment.handle = this;
    }

    /** Creates a segment of {@code kind} with {@code payload} bytes after the header. */
    static Segment newSegment(Segment.Kind kind, long payload) {
        return Segments.create(kind, payload);
    }

    /**
     * Releases this handle. In the process that created it, the shared memory is deleted: other
     * processes that have it mapped keep it until they close it or exit, and it can no longer be
     * passed to a new one. In any other process it is only unmapped there. Idempotent.
     */
    @Override
    public void close() {
        segment.close();
    }

    /**
     * @return the file behind this handle, for diagnostics
     */
    Path path() {
        return segment.path;
    }

    @Serial
    protected final Object writeReplace() throws ObjectStreamException {
        return new Ref(segment.kind, segment.path.toString(), side());
    }

    /** Which part of a segment the handle is (a pipe's end); 0 for most. */
    int side() {
        return 0;
    }

    /**
     * What an operation that failed with {@code e} throws: when this handle was closed, an
     * exception that names it and says what to do instead of the memory API's bare "Already
     * closed"; otherwise {@code e} itself.
     */
    final IllegalStateException closed(IllegalStateException e) {
        if (!segment.isClosed()) {
            return e;
        }
        return new IllegalStateException(
                this
                        + " is closed: its close() released the shared memory, so it cannot be used"
                        + " any more. Keep it open while anything uses it (close it after the"
                        + " pool's tasks are done, for example with both in one try-with-resources,"
                        + " the pool declared after it), or create a new one",
                e);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + segment.path.getFileName() + "]";
    }

    /** A handle in transit: its kind, path and side. */
    record Ref(Segment.Kind kind, String path, int side) implements Serializable {

        @Serial
        private Object readResolve() throws ObjectStreamException {
            Segment s = Segments.attach(Path.of(path), kind);
            Object h = s.handle;
            if (h == null) {
                synchronized (s) {
                    h = s.handle;
                    if (h == null) {
                        h = make(s);
                    }
                }
            }
            if (side > 0 && h instanceof LockHandle l) {
                return l.condition(side - 1); // a condition travels as its lock and its index
            }
            if (h instanceof Pipe p) {
                Pipe.End end = p.end(side);
                if (!s.owner) {
                    end.arrived(); // this process holds that end from now on: its death closes it
                }
                return end;
            }
            return h;
        }

        private static Object make(Segment s) {
            return switch (s.kind) {
                case LONG -> new SharedLong(s);
                case LONGS -> new SharedArray.Longs(s);
                case INTS -> new SharedArray.Ints(s);
                case DOUBLES -> new SharedArray.Doubles(s);
                case BYTES -> new SharedArray.Bytes(s);
                case LOCK -> new SharedLock(s);
                case SEMAPHORE -> new SharedSemaphore(s);
                case EVENT -> new SharedEvent(s);
                case BARRIER -> new SharedBarrier(s);
                case QUEUE -> new SharedQueue<>(s);
                case PIPE -> new Pipe(s);
                case INT -> new SharedInt(s);
                case DOUBLE -> new SharedDouble(s);
                case RLOCK -> new SharedReentrantLock(s);
                case LIST -> new SharedList(s);
            };
        }
    }
}
