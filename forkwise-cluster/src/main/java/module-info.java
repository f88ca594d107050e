/**
 * forkwise on a cluster: the same {@code Pool} and primitives on a Hazelcast cluster of JVMs, for
 * work that outgrows one machine. The entry point is {@link dev.forkwise.cluster.Cluster}.
 */
module dev.forkwise.cluster {
    requires transitive dev.forkwise;
    requires com.hazelcast.core;
    requires java.logging;

    exports dev.forkwise.cluster;
}
