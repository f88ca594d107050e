package dev.forkwise.cluster;

import com.hazelcast.map.IMap;

import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A {@link Lock} shared by a cluster: {@code IMap.lock} on the lock's name, with a lease, so that
 * the lock comes back when its holder dies (a member that leaves or a client that disconnects loses
 * its locks at once; the lease covers a holder that hangs). Held per thread, as {@code IMap}'s
 * locks are; reentrant. Serializable: a task that carries it to a member locks the same lock there.
 */
final class ClusterLock implements Lock, Serializable {

    @Serial private static final long serialVersionUID = 1L;

    private static final long SLICE_MILLIS = 100;

    private final String cluster;
    private final String name;
    private final long leaseMillis;

    ClusterLock(String cluster, String name, long leaseMillis) {
        this.cluster = cluster;
        this.name = name;
        this.leaseMillis = leaseMillis;
    }

    private IMap<String, Boolean> map() {
        return Instances.hz(cluster).getMap(Hz.LOCKS);
    }

    @Override
    public void lock() {
        map().lock(name, leaseMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        while (!tryLock(SLICE_MILLIS, TimeUnit.MILLISECONDS)) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for lock " + name);
            }
        }
    }

    @Override
    public boolean tryLock() {
        try {
            return map().tryLock(
                            name, 0, TimeUnit.MILLISECONDS, leaseMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return map().tryLock(name, time, unit, leaseMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void unlock() {
        map().unlock(name);
    }

    /** Always throws: Community Edition has no distributed conditions. */
    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException(
                "a cluster lock has no conditions (Hazelcast Community Edition has none): wait on"
                        + " a cluster queue instead (take blocks until another JVM puts)");
    }

    @Override
    public String toString() {
        return "ClusterLock[" + name + "]";
    }
}
