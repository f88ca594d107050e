package dev.forkwise.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.util.Map;

/**
 * An exact 64-bit counter shared by a cluster, with {@code SharedLong}'s methods: each update is an
 * entry processor that runs where the counter's entry lives, one at a time per counter, so no
 * update is lost (unlike {@code PNCounter}, which only converges). Serializable: a task that
 * carries it to a member updates the same counter there.
 */
public final class ClusterCounter implements Serializable {

    @Serial private static final long serialVersionUID = 1L;

    private final String cluster;
    private final String name;

    ClusterCounter(String cluster, String name) {
        this.cluster = cluster;
        this.name = name;
    }

    private IMap<String, Long> map() {
        return Instances.hz(cluster).getMap(Hz.COUNTERS);
    }

    /**
     * Returns the counter's value.
     *
     * @return the value
     */
    public long get() {
        Long v = map().get(name);
        return v == null ? 0 : v;
    }

    /**
     * Sets the counter.
     *
     * @param value the new value
     */
    public void set(long value) {
        map().executeOnKey(name, new Update(Update.SET, value, 0));
    }

    /**
     * Adds to the counter and returns the new value.
     *
     * @param delta what to add
     * @return the value after adding
     */
    public long addAndGet(long delta) {
        return map().executeOnKey(name, new Update(Update.ADD, delta, 0));
    }

    /**
     * Adds to the counter and returns the old value.
     *
     * @param delta what to add
     * @return the value before adding
     */
    public long getAndAdd(long delta) {
        return addAndGet(delta) - delta;
    }

    /**
     * Adds one and returns the new value.
     *
     * @return the value after adding
     */
    public long incrementAndGet() {
        return addAndGet(1);
    }

    /**
     * Sets the counter to {@code update} if it is {@code expect}.
     *
     * @param expect the value it must have
     * @param update the new value
     * @return whether it was set
     */
    public boolean compareAndSet(long expect, long update) {
        return map().executeOnKey(name, new Update(Update.CAS, update, expect)) == 1;
    }

    /**
     * Returns the counter's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "ClusterCounter[" + name + "]";
    }

    /**
     * One update, run on the member that holds the entry. It crosses as Hazelcast's {@code
     * IdentifiedDataSerializable} (a factory id, a class id, three fields), not by Java
     * serialization, which cost more than the update itself.
     */
    static final class Update
            implements EntryProcessor<String, Long, Long>, IdentifiedDataSerializable {
        @Serial private static final long serialVersionUID = 1L;

        /** Hazelcast's ids for forkwise's data-serializable classes. */
        static final int FACTORY_ID = 0x666b7731; // "fkw1"

        static final int CLASS_ID = 1;

        static final int SET = 0;
        static final int ADD = 1;
        static final int CAS = 2;

        private int op;
        private long value;
        private long expect;

        /** For deserialization. */
        Update() {}

        Update(int op, long value, long expect) {
            this.op = op;
            this.value = value;
            this.expect = expect;
        }

        @Override
        public int getFactoryId() {
            return FACTORY_ID;
        }

        @Override
        public int getClassId() {
            return CLASS_ID;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeInt(op);
            out.writeLong(value);
            out.writeLong(expect);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            op = in.readInt();
            value = in.readLong();
            expect = in.readLong();
        }

        @Override
        public Long process(Map.Entry<String, Long> entry) {
            long now = entry.getValue() == null ? 0 : entry.getValue();
            switch (op) {
                case SET -> {
                    entry.setValue(value);
                    return value;
                }
                case ADD -> {
                    long next = now + value;
                    entry.setValue(next);
                    return next;
                }
                default -> {
                    if (now != expect) {
                        return 0L;
                    }
                    entry.setValue(value);
                    return 1L;
                }
            }
        }
    }
}
