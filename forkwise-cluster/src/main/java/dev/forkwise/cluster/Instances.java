package dev.forkwise.cluster;

import com.hazelcast.core.HazelcastInstance;

import dev.forkwise.codec.Codec;
import dev.forkwise.engine.Tasks;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Hazelcast instances of this JVM by cluster name, a member or a client, with the codec that
 * decodes what arrives from that cluster: how a handle (a queue, a map, a counter, a lock) that a
 * task carried to a member finds the same structure there.
 */
final class Instances {

    private record Entry(HazelcastInstance hz, Codec codec) {}

    private static final Map<String, Entry> BY_CLUSTER = new ConcurrentHashMap<>();

    private Instances() {}

    /** Registers this JVM's instance of {@code cluster}, whose values pass {@code pattern}. */
    static void register(String cluster, HazelcastInstance hz, String pattern, ClassLoader loader) {
        BY_CLUSTER.put(cluster, new Entry(hz, new Codec(pattern, loader, Tasks.FACTORY)));
    }

    /** Forgets {@code hz}, if it is the one registered for its cluster. */
    static void unregister(String cluster, HazelcastInstance hz) {
        BY_CLUSTER.computeIfPresent(cluster, (k, e) -> e.hz() == hz ? null : e);
    }

    /** This JVM's instance of {@code cluster}. */
    static HazelcastInstance hz(String cluster) {
        return entry(cluster).hz();
    }

    /** The codec for values from {@code cluster}. */
    static Codec codec(String cluster) {
        return entry(cluster).codec();
    }

    private static Entry entry(String cluster) {
        Entry e = BY_CLUSTER.get(cluster);
        if (e == null) {
            throw new IllegalStateException(
                    "this JVM is neither a member of nor connected to the forkwise cluster '"
                            + cluster
                            + "': connect with Cluster.connect, or start a member with `forkwise"
                            + " member`");
        }
        return e;
    }
}
