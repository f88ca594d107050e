package dev.forkwise.ipc;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A list that every worker sees and changes, of any serializable elements and any length (Python's
 * {@code Manager().list()}): kept by the process that created it and served by the same server as a
 * {@link SharedMap}, one request and one reply per operation.
 *
 * {@snippet :
 * try (ManagedList<String> log = ManagedList.create()) {
 *     pool.map(x -> { log.add("saw " + x); return null; }, inputs);
 *     List<String> lines = log.snapshot();
 * }
 * }
 *
 * <p><b>Which list.</b> A {@link SharedList} (Python's {@code ShareableList}) lives in shared
 * memory: reads and writes are in place and take nanoseconds, but its length and the room of each
 * position are fixed, and it holds only numbers, strings and bytes. A {@code ManagedList} grows and
 * shrinks and holds any serializable element, and each operation is a round trip to its owner (tens
 * of microseconds). Use a {@code SharedList} for a fixed table of numbers that many processes
 * update, a {@code ManagedList} for results or records whose number is not known.
 *
 * <p>Each operation is atomic in the owner (its list is synchronized). An index names a position at
 * the moment the owner runs the operation: another process may have added or removed before it.
 * Elements are copied both ways, and may be null. When the owner closes the list or exits, every
 * other process's next operation throws {@link IllegalStateException} naming it.
 *
 * <p>Memory consistency effects: actions before an operation happen before the actions after any
 * operation that observes its effect.
 *
 * @param <E> the element type
 */
public final class ManagedList<E> implements AutoCloseable, Serializable {

    @Serial private static final long serialVersionUID = 1L;

    private final SharedMap<Object, Object> served;

    private ManagedList(SharedMap<Object, Object> served) {
        this.served = served;
    }

    /**
     * Creates an empty list owned and served by the calling process.
     *
     * @param <E> the element type
     * @return the list
     */
    public static <E> ManagedList<E> create() {
        return new ManagedList<>(SharedMap.createList());
    }

    /**
     * Returns the element at {@code index}.
     *
     * @param index the position
     * @return the element
     * @throws IndexOutOfBoundsException if there is no such position
     */
    public E get(int index) {
        return served.call(SharedMap.L_GET, index, null);
    }

    /**
     * Replaces the element at {@code index}.
     *
     * @param index the position
     * @param element the new element
     * @return the element it replaced
     * @throws IndexOutOfBoundsException if there is no such position
     */
    public E set(int index, E element) {
        return served.call(SharedMap.L_SET, index, element);
    }

    /**
     * Appends an element.
     *
     * @param element the element
     * @return true
     */
    public boolean add(E element) {
        return served.call(SharedMap.L_ADD, 0, element);
    }

    /**
     * Inserts an element at {@code index}, moving the later ones up.
     *
     * @param index where
     * @param element the element
     * @throws IndexOutOfBoundsException if {@code index} is past the end
     */
    public void add(int index, E element) {
        served.call(SharedMap.L_INSERT, index, element);
    }

    /**
     * Removes the element at {@code index}, moving the later ones down.
     *
     * @param index the position
     * @return the element removed
     * @throws IndexOutOfBoundsException if there is no such position
     */
    public E remove(int index) {
        return served.call(SharedMap.L_REMOVE_AT, index, null);
    }

    /**
     * Returns the position of the first element equal to {@code o} (by {@code equals}, in the
     * owner), or -1.
     *
     * @param o the element to look for
     * @return its position, or -1
     */
    public int indexOf(Object o) {
        return served.call(SharedMap.L_INDEX_OF, 0, o);
    }

    /**
     * Whether an element equals {@code o}.
     *
     * @param o the element to look for
     * @return whether it is there
     */
    public boolean contains(Object o) {
        return indexOf(o) >= 0;
    }

    /**
     * Returns the number of elements.
     *
     * @return the size now
     */
    public int size() {
        return served.call(SharedMap.L_SIZE, 0, null);
    }

    /**
     * Whether the list is empty now.
     *
     * @return whether it is
     */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** Removes every element. */
    public void clear() {
        served.call(SharedMap.L_CLEAR, 0, null);
    }

    /**
     * Returns a copy of the list, taken in the owner in one step.
     *
     * @return a new list
     */
    public List<E> snapshot() {
        return served.call(SharedMap.L_SNAPSHOT, 0, null);
    }

    /** In the owner, stops serving the list; elsewhere, closes this process's connections to it. */
    @Override
    public void close() {
        served.close();
    }

    @Override
    public String toString() {
        return served.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ManagedList<?> other && other.served == served;
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(served);
    }
}
