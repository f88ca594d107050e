package dev.forkwise.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.QueueConfig;
import com.hazelcast.core.HazelcastInstance;

import dev.forkwise.Pool;
import dev.forkwise.engine.PoolEngine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * A forkwise cluster: the one entry point of {@code forkwise-cluster}. {@link #pool()} runs the
 * same tasks a {@code Pool.processes(n)} runs, on the cluster's members; {@link #queue}, {@link
 * #map}, {@link #counter} and {@link #lock} are the IPC primitives' counterparts, shared by every
 * JVM of the cluster.
 *
 * <pre>{@code
 * try (Cluster cluster = Cluster.connect(ClusterOptions.of("prod", "10.0.0.5:5701"));
 *         Pool pool = cluster.pool()) {
 *     List<Long> sums = pool.map(Work::sum, inputs);
 * }
 * }</pre>
 *
 * <p>This JVM connects as a Hazelcast client: it holds no data and runs no tasks, and its death
 * costs the cluster nothing but its own locks, which come back. Members run with the user's class
 * path; tasks and values travel as forkwise codec bytes and are decoded through its class filter.
 *
 * <p>Community Edition has no TLS and no authentication: anyone who reaches a member's port can
 * join or submit. Run members on a private network (or loopback, the default), never on an open
 * one.
 */
public final class Cluster implements AutoCloseable {

    /** How long a lock's holder keeps it at most, unless it says otherwise. */
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(5);

    private final HazelcastInstance hz;
    private final String name;
    private final LocalMembers local;
    private final ClassLoader loader;
    private final List<Pool> pools = new ArrayList<>();

    private Cluster(HazelcastInstance hz, String name, LocalMembers local, ClassLoader loader) {
        this.hz = hz;
        this.name = name;
        this.local = local;
        this.loader = loader;
    }

    /**
     * Connects this JVM to a running cluster.
     *
     * @param options the cluster's name and some members' addresses
     * @return the cluster
     * @throws IllegalStateException if no member answered within the connect timeout
     */
    public static Cluster connect(ClusterOptions options) {
        return connect(options, null);
    }

    private static Cluster connect(ClusterOptions options, LocalMembers local) {
        Hz.quietLogging();
        Hz.asyncCallbacksOnAPool();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = Cluster.class.getClassLoader();
        }
        HazelcastInstance client;
        try {
            client = HazelcastClient.newHazelcastClient(Hz.client(options, loader));
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "cannot connect to the forkwise cluster '"
                            + options.clusterName()
                            + "' at "
                            + options.addresses()
                            + " within "
                            + options.connectTimeout().toSeconds()
                            + " s: is a member running there (forkwise member), with that cluster"
                            + " name? "
                            + e,
                    e);
        }
        Instances.register(options.clusterName(), client, options.allowedClasses(), loader);
        return new Cluster(client, options.clusterName(), local, loader);
    }

    /**
     * Starts {@code members} member JVMs on this machine, on loopback, with this JVM's class path,
     * and connects to them: for trying the cluster out and for tests. {@link #close} kills them;
     * they also die with this JVM.
     *
     * @param members how many member JVMs
     * @return the cluster
     */
    public static Cluster local(int members) {
        if (members < 1) {
            throw new IllegalArgumentException(
                    "a local cluster needs at least 1 member, not " + members);
        }
        return local(Collections.nCopies(members, "127.0.0.1"), null);
    }

    /**
     * Starts one member JVM on each of {@code bindAddresses} (loopback addresses such as {@code
     * 127.0.0.2}, so that members look like separate hosts), with this JVM's class path, and
     * connects to them.
     *
     * @param bindAddresses one loopback address per member
     * @param allowedClasses an {@link java.io.ObjectInputFilter} pattern the members' class filter
     *     narrows to (as {@code forkwise member --allow}), or null
     * @return the cluster
     */
    public static Cluster local(List<String> bindAddresses, String allowedClasses) {
        int members = bindAddresses.size();
        String name = "forkwise-local-" + UUID.randomUUID().toString().substring(0, 8);
        LocalMembers started = LocalMembers.start(bindAddresses, name, allowedClasses);
        try {
            Cluster c =
                    connect(
                            new ClusterOptions(
                                    name, started.addresses(), null, Duration.ofSeconds(60)),
                            started);
            c.awaitMembers(members, Duration.ofSeconds(60));
            return c;
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
    }

    private void awaitMembers(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (hz.getCluster().getMembers().size() < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the cluster has "
                                + hz.getCluster().getMembers().size()
                                + " members after "
                                + timeout.toSeconds()
                                + " s, not "
                                + n);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for members", e);
            }
        }
    }

    /**
     * Returns the cluster's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * One member of the cluster, as this JVM sees it.
     *
     * @param address {@code host:port}
     * @param pid the member's process id, or -1 if it does not say
     * @param cores the member's cores
     */
    public record MemberInfo(String address, long pid, int cores) {}

    /**
     * Returns the cluster's members now.
     *
     * @return the members
     */
    public List<MemberInfo> members() {
        List<MemberInfo> out = new ArrayList<>();
        for (Member m : hz.getCluster().getMembers()) {
            out.add(new MemberInfo(Hz.address(m), Hz.pid(m), Hz.cores(m)));
        }
        return out;
    }

    /**
     * A pool on the cluster's members: one task at a time per member core, tasks that must not run
     * twice.
     *
     * @return the pool; close it (or this cluster) when done
     */
    public Pool pool() {
        return pool(ClusterPoolOptions.defaults());
    }

    /**
     * A pool on the cluster's members.
     *
     * @param options whether tasks may run again after a member dies, and how many run at once
     * @return the pool; close it (or this cluster) when done
     */
    public Pool pool(ClusterPoolOptions options) {
        Objects.requireNonNull(options, "options");
        Pool p = new PoolEngine(new ClusterBackend(hz, name, options, Instances.codec(name)));
        synchronized (pools) {
            pools.add(p);
        }
        return p;
    }

    /**
     * A bounded blocking queue shared by the cluster ({@code multiprocessing.Queue(capacity)}).
     * Elements travel as codec bytes: the same values a pool's tasks may carry.
     *
     * @param name the queue's name in the cluster
     * @param capacity the most elements it holds; the first call with a name sets it
     * @param <E> the elements' type
     * @return the queue; a task that carries it to a member uses the same queue there
     */
    public <E> BlockingQueue<E> queue(String name, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException(
                    "a queue's capacity must be at least 1, not " + capacity);
        }
        hz.getConfig()
                .addQueueConfig(new QueueConfig(ClusterQueue.prefix(name)).setMaxSize(capacity));
        return new ClusterQueue<>(this.name, name, capacity);
    }

    /**
     * A map shared by the cluster ({@code Manager().dict()}), whose atomic operations run where the
     * entry lives.
     *
     * @param name the map's name in the cluster
     * @param <K> the keys' type
     * @param <V> the values' type
     * @return the map; a task that carries it to a member uses the same map there
     */
    public <K, V> ConcurrentMap<K, V> map(String name) {
        return new ClusterMap<>(this.name, name);
    }

    /**
     * An exact counter shared by the cluster ({@code Value('q')}), updated where its entry lives.
     *
     * @param name the counter's name in the cluster
     * @return the counter, 0 when new
     */
    public ClusterCounter counter(String name) {
        return new ClusterCounter(this.name, name);
    }

    /**
     * A lock shared by the cluster ({@code multiprocessing.Lock}), held at most {@link
     * #DEFAULT_LEASE} at a time, so a dead holder's lock comes back.
     *
     * @param name the lock's name in the cluster
     * @return the lock
     */
    public Lock lock(String name) {
        return lock(name, DEFAULT_LEASE);
    }

    /**
     * A lock shared by the cluster, held at most {@code lease} at a time.
     *
     * @param name the lock's name in the cluster
     * @param lease the longest a holder keeps it; then it is released for it
     * @return the lock
     */
    public Lock lock(String name, Duration lease) {
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("a lock's lease must be positive, not " + lease);
        }
        return new ClusterLock(this.name, name, lease.toMillis());
    }

    /** Shuts this JVM's pools down, disconnects, and kills the members {@link #local} started. */
    @Override
    public void close() {
        List<Pool> open;
        synchronized (pools) {
            open = new ArrayList<>(pools);
            pools.clear();
        }
        for (Pool p : open) {
            p.shutdownNow();
            try {
                p.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Instances.unregister(name, hz);
        try {
            hz.shutdown();
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }

    ClassLoader loader() {
        return loader;
    }

    /**
     * Returns the Hazelcast client under this cluster, for what forkwise does not wrap (and for
     * measuring forkwise against it). Values sent through it directly bypass forkwise's codec:
     * members admit only Hazelcast's own classes and forkwise's envelopes.
     *
     * @return the client
     */
    public HazelcastInstance hazelcast() {
        return hz;
    }
}
