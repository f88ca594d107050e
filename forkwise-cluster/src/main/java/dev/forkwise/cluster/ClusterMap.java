package dev.forkwise.cluster;

import com.hazelcast.map.IMap;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link ConcurrentMap} shared by a cluster, on a Hazelcast {@code IMap} whose keys and values
 * are codec bytes: {@code putIfAbsent}, {@code replace} and {@code remove(key, value)} are atomic
 * where the entry lives (they compare encoded values, which the codec writes the same way for equal
 * numbers, strings, records and collections of those), so {@code compute} and {@code merge} (the
 * interface's defaults, built on them) are too. Iteration is over a snapshot. Serializable: a task
 * that carries it to a member uses the same map there.
 *
 * @param <K> the keys' type
 * @param <V> the values' type
 */
final class ClusterMap<K, V> extends AbstractMap<K, V>
        implements ConcurrentMap<K, V>, Serializable {

    @Serial private static final long serialVersionUID = 1L;

    private final String cluster;
    private final String name;

    ClusterMap(String cluster, String name) {
        this.cluster = cluster;
        this.name = name;
    }

    private IMap<byte[], byte[]> m() {
        return Instances.hz(cluster).getMap("forkwise.map." + name);
    }

    private byte[] key(Object k) {
        return Values.encode("a key of cluster map " + name, k);
    }

    private byte[] value(Object v) {
        return Values.encode("a value of cluster map " + name, v);
    }

    private V decode(byte[] b) {
        return Values.decode(cluster, b);
    }

    @Override
    public V get(Object key) {
        return decode(m().get(key(key)));
    }

    @Override
    public boolean containsKey(Object key) {
        return m().containsKey(key(key));
    }

    @Override
    public V put(K key, V value) {
        return decode(m().put(key(key), value(value)));
    }

    @Override
    public V remove(Object key) {
        return decode(m().remove(key(key)));
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return decode(m().putIfAbsent(key(key), value(value)));
    }

    @Override
    public boolean remove(Object key, Object value) {
        return m().remove(key(key), value(value));
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        return m().replace(key(key), value(oldValue), value(newValue));
    }

    @Override
    public V replace(K key, V value) {
        return decode(m().replace(key(key), value(value)));
    }

    @Override
    public int size() {
        return m().size();
    }

    @Override
    public void clear() {
        m().clear();
    }

    /** A snapshot of the entries now; changing it does not change the map. */
    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        Set<Map.Entry<K, V>> out = new LinkedHashSet<>();
        for (Map.Entry<byte[], byte[]> e : m().entrySet()) {
            K k = Values.decode(cluster, e.getKey());
            out.add(new SimpleImmutableEntry<>(k, decode(e.getValue())));
        }
        return out;
    }

    @Override
    public String toString() {
        return "ClusterMap[" + name + "]";
    }
}
