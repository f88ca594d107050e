package dev.forkwise.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A member of a forkwise cluster in this JVM: a Hazelcast member that runs forkwise's tasks and
 * holds the queues, maps, counters and locks. {@code forkwise member} starts one; {@link
 * Cluster#local} starts its members as JVMs that run {@link #main}.
 *
 * <p>It binds only the address it is given and joins the members it is given by TCP/IP. The tasks
 * and values it receives are decoded with forkwise's codec through its class filter (narrowed by
 * {@code allowedClasses}, if given), with the user's classes from {@code loader}.
 */
public final class ClusterMember implements AutoCloseable {

    private final HazelcastInstance hz;
    private final String cluster;

    private ClusterMember(HazelcastInstance hz, String cluster) {
        this.hz = hz;
        this.cluster = cluster;
    }

    /**
     * Starts a member in this JVM.
     *
     * @param cluster the cluster's name
     * @param bind the IP address to bind, for example {@code 127.0.0.1}
     * @param port the port to listen on
     * @param join {@code host:port} of members to join (may be empty for the first)
     * @param allowedClasses an {@link java.io.ObjectInputFilter} pattern narrowing the classes
     *     tasks and values may hold, or null
     * @param loader where the user's task classes come from
     * @return the running member
     */
    public static ClusterMember start(
            String cluster,
            String bind,
            int port,
            List<String> join,
            String allowedClasses,
            ClassLoader loader) {
        Hz.quietLogging();
        Hz.asyncCallbacksOnAPool();
        List<String> all = new ArrayList<>(join);
        if (all.isEmpty()) {
            all.add(bind + ":" + port);
        }
        HazelcastInstance hz =
                Hazelcast.newHazelcastInstance(Hz.member(cluster, bind, port, all, loader));
        Instances.register(cluster, hz, allowedClasses, loader);
        return new ClusterMember(hz, cluster);
    }

    /**
     * The JVM options a member JVM needs on JDK 25: the module access Hazelcast asks for, and a
     * common fork-join pool of at least two threads (with one, Hazelcast starts a thread per
     * callback and its throughput drops 20-30×).
     *
     * @return the options, to put before the main class
     */
    public static List<String> jvmOptions() {
        return LocalMembers.FLAGS;
    }

    /**
     * Returns the address the member listens on.
     *
     * @return {@code host:port}
     */
    public String address() {
        var a = hz.getCluster().getLocalMember().getAddress();
        return a.getHost() + ":" + a.getPort();
    }

    /**
     * Returns how many members the cluster has now, this one included.
     *
     * @return the count
     */
    public int clusterSize() {
        return hz.getCluster().getMembers().size();
    }

    /** Leaves the cluster and stops the member. */
    @Override
    public void close() {
        Instances.unregister(cluster, hz);
        hz.shutdown();
    }

    /**
     * Runs a member until the JVM ends: {@code --cluster NAME --bind ADDRESS --port PORT [--join
     * host:port,...] [--allow PATTERN] [--parent-watch]}. It prints {@code forkwise-member ready
     * <host:port>} when it has joined. With {@code --parent-watch} it halts when its standard input
     * ends, so it dies with the process that started it.
     *
     * @param args the arguments
     */
    public static void main(String[] args) throws InterruptedException {
        String cluster = ClusterOptions.DEFAULT_NAME;
        String bind = "127.0.0.1";
        int port = 5701;
        List<String> join = List.of();
        String allow = null;
        boolean watch = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cluster" -> cluster = args[++i];
                case "--bind" -> bind = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--join" -> join = Arrays.asList(args[++i].split(","));
                case "--allow" -> allow = args[++i];
                case "--parent-watch" -> watch = true;
                default ->
                        throw new IllegalArgumentException(
                                "unknown argument '" + args[i] + "' for a forkwise member");
            }
        }
        if (watch) {
            Thread.ofPlatform().daemon().name("forkwise-parent-watch").start(ClusterMember::watch);
        }
        ClusterMember m =
                start(cluster, bind, port, join, allow, ClusterMember.class.getClassLoader());
        PrintStream out = System.out;
        out.println("forkwise-member ready " + m.address());
        out.flush();
        new CountDownLatch(1).await(); // until the JVM is stopped
    }

    /** Halts the JVM when standard input ends: the parent that started it is gone. */
    private static void watch() {
        InputStream in = System.in;
        byte[] b = new byte[64];
        try {
            while (in.read(b) >= 0) {
                // nothing is sent; only the end matters
            }
        } catch (IOException e) {
            // the pipe broke: the parent is gone too
        }
        Runtime.getRuntime().halt(0);
    }
}
