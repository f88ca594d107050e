package dev.forkwise.cluster;

import com.hazelcast.collection.IQueue;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded {@link BlockingQueue} shared by a cluster, on a Hazelcast {@code IQueue} of codec
 * bytes: an element is encoded at {@code put} (a value that cannot travel fails there, named) and
 * decoded through the class filter at {@code take}. Serializable: a task that carries it to a
 * member uses the same queue there.
 *
 * @param <E> the elements' type
 */
final class ClusterQueue<E> extends AbstractQueue<E> implements BlockingQueue<E>, Serializable {

    @Serial private static final long serialVersionUID = 1L;

    private final String cluster;
    private final String name;
    private final int capacity;

    ClusterQueue(String cluster, String name, int capacity) {
        this.cluster = cluster;
        this.name = name;
        this.capacity = capacity;
    }

    /** The name of the Hazelcast queue behind the queue called {@code name}. */
    static String prefix(String name) {
        return "forkwise.queue." + name;
    }

    private IQueue<byte[]> q() {
        return Instances.hz(cluster).getQueue(prefix(name));
    }

    private byte[] encode(E e) {
        return Values.encode("an element put on cluster queue " + name, e);
    }

    private E decode(byte[] b) {
        return Values.decode(cluster, b);
    }

    @Override
    public boolean offer(E e) {
        return q().offer(encode(e));
    }

    @Override
    public void put(E e) throws InterruptedException {
        q().put(encode(e));
    }

    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
        return q().offer(encode(e), timeout, unit);
    }

    @Override
    public E take() throws InterruptedException {
        return decode(q().take());
    }

    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        return decode(q().poll(timeout, unit));
    }

    @Override
    public E poll() {
        return decode(q().poll());
    }

    @Override
    public E peek() {
        return decode(q().peek());
    }

    @Override
    public int size() {
        return q().size();
    }

    @Override
    public int remainingCapacity() {
        return q().remainingCapacity();
    }

    @Override
    public int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super E> c, int maxElements) {
        if (c == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        List<byte[]> raw = new ArrayList<>();
        int n = q().drainTo(raw, maxElements);
        for (byte[] b : raw) {
            c.add(decode(b));
        }
        return n;
    }

    /** A snapshot of the elements now, oldest first; its {@code remove} is not supported. */
    @Override
    public Iterator<E> iterator() {
        List<E> snapshot = new ArrayList<>();
        for (byte[] b : q()) {
            snapshot.add(decode(b));
        }
        return Collections.unmodifiableList(snapshot).iterator();
    }

    @Override
    public String toString() {
        return "ClusterQueue[" + name + ", capacity " + capacity + "]";
    }
}
