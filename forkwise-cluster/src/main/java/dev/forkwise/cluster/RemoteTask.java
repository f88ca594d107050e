package dev.forkwise.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import dev.forkwise.codec.Codec;
import dev.forkwise.codec.Message;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * One of the user's tasks on its way to a member, as Hazelcast's {@code IdentifiedDataSerializable}
 * (by ids, no Java serialization). It carries the task as codec bytes; on the member it decodes
 * them through forkwise's class filter (so a class the filter refuses never runs a line), runs the
 * task, and answers with its outcome as codec bytes: a first byte {@link #VALUE} or {@link
 * #THROWN}, then the {@link Wire} form of the value or of what the task threw.
 */
final class RemoteTask implements Callable<byte[]>, IdentifiedDataSerializable, Serializable {

    @Serial private static final long serialVersionUID = 1L;

    static final int CLASS_ID = 2;

    static final byte VALUE = 0;
    static final byte THROWN = 1;

    private String cluster;
    private byte[] task;

    /** For deserialization. */
    RemoteTask() {}

    RemoteTask(String cluster, byte[] task) {
        this.cluster = cluster;
        this.task = task;
    }

    @Override
    public int getFactoryId() {
        return ClusterCounter.Update.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return CLASS_ID;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(cluster);
        out.writeByteArray(task);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        cluster = in.readString();
        task = in.readByteArray();
    }

    @Override
    public byte[] call() throws IOException {
        Object value;
        try {
            Codec codec = Instances.codec(cluster);
            Callable<?> c = (Callable<?>) codec.decode(Wire.message(task));
            value = c.call();
        } catch (Throwable t) {
            return reply(THROWN, Codec.encodeThrowable(t));
        } finally {
            Thread.interrupted(); // an interrupt meant for this task ends with it
        }
        try {
            return reply(VALUE, Codec.encode(value, false));
        } catch (IOException | RuntimeException e) {
            return reply(
                    THROWN,
                    Codec.encodeThrowable(
                            new IOException(
                                    "the task's result cannot be sent back from the member: " + e,
                                    e)));
        }
    }

    private static byte[] reply(byte kind, Message m) {
        byte[] body = Wire.bytes(m);
        byte[] out = new byte[body.length + 1];
        out[0] = kind;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }
}
