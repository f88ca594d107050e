package dev.forkwise.cluster;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.internal.util.ConcurrencyUtil;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * forkwise's Hazelcast settings, for members and for the clients that connect to them, in one
 * place.
 *
 * <p>Members bind only the address they are told (never {@code 0.0.0.0}), join by TCP/IP to the
 * addresses they are given (no multicast, no cloud auto-detection), never phone home, and run
 * forkwise's tasks on an executor of one thread per core. Hazelcast's own Java deserialization
 * admits only forkwise's classes (and Hazelcast's and the JDK's basic ones, its defaults): every
 * value of the user's travels as bytes that forkwise's codec decodes through its class filter.
 */
final class Hz {

    /** The executor forkwise's tasks run on, on every member. */
    static final String EXECUTOR = "forkwise";

    /** Member attributes: the member's process id and its cores. */
    static final String PID = "forkwise.pid";

    static final String CORES = "forkwise.cores";

    /** The map that holds the counters, and the one whose keys are the locks. */
    static final String COUNTERS = "forkwise.counters";

    static final String LOCKS = "forkwise.locks";

    /** Kept so the level set on it stays set (the log manager holds loggers weakly). */
    private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

    private Hz() {}

    /**
     * A member's configuration.
     *
     * @param cluster the cluster's name
     * @param bind the address to bind (an IP address)
     * @param port the port to listen on
     * @param join {@code host:port} of the members to join
     * @param loader where the user's classes come from
     */
    static Config member(
            String cluster, String bind, int port, List<String> join, ClassLoader loader) {
        Config c = new Config();
        c.setClusterName(cluster);
        c.setClassLoader(loader);
        common(c::setProperty);
        c.setProperty("hazelcast.socket.bind.any", "false");
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        c.setProperty("hazelcast.max.wait.seconds.before.join", "0");
        // the member binds this address alone: not 0.0.0.0 (bind.any), and not the interface
        // matching of getInterfaces(), which knows only addresses an interface carries (so no
        // 127.0.0.2, which a second "host" on loopback uses)
        c.setProperty("hazelcast.local.localAddress", bind);
        NetworkConfig n = c.getNetworkConfig();
        n.setPort(port).setPortAutoIncrement(false);
        JoinConfig j = n.getJoin();
        j.getMulticastConfig().setEnabled(false);
        j.getAutoDetectionConfig().setEnabled(false);
        j.getTcpIpConfig().setEnabled(true).setMembers(join);
        int cores = Runtime.getRuntime().availableProcessors();
        c.getExecutorConfig(EXECUTOR).setPoolSize(cores);
        c.getMemberAttributeConfig()
                .setAttribute(PID, String.valueOf(ProcessHandle.current().pid()))
                .setAttribute(CORES, String.valueOf(cores));
        c.getSerializationConfig()
                .setJavaSerializationFilterConfig(filter())
                .addDataSerializableFactory(ClusterCounter.Update.FACTORY_ID, Hz::dataSerializable);
        return c;
    }

    /** A client's configuration for {@code options}. */
    static ClientConfig client(ClusterOptions options, ClassLoader loader) {
        ClientConfig c = new ClientConfig();
        c.setClusterName(options.clusterName());
        c.setClassLoader(loader);
        common(c::setProperty);
        c.getNetworkConfig().setAddresses(options.addresses()).setSmartRouting(true);
        c.getConnectionStrategyConfig()
                .getConnectionRetryConfig()
                .setClusterConnectTimeoutMillis(options.connectTimeout().toMillis());
        c.getSerializationConfig()
                .setJavaSerializationFilterConfig(filter())
                .addDataSerializableFactory(ClusterCounter.Update.FACTORY_ID, Hz::dataSerializable);
        return c;
    }

    /** A member's cores, as it announced them (1 if it did not). */
    static int cores(Member m) {
        String c = m.getAttribute(CORES);
        return c == null ? 1 : Integer.parseInt(c);
    }

    /** A member's process id, as it announced it (-1 if it did not). */
    static long pid(Member m) {
        String p = m.getAttribute(PID);
        return p == null ? -1 : Long.parseLong(p);
    }

    /** A member's {@code host:port}. */
    static String address(Member m) {
        return m.getAddress().getHost() + ":" + m.getAddress().getPort();
    }

    /** forkwise's data-serializable classes by class id. */
    static IdentifiedDataSerializable dataSerializable(int classId) {
        return switch (classId) {
            case ClusterCounter.Update.CLASS_ID -> new ClusterCounter.Update();
            case RemoteTask.CLASS_ID -> new RemoteTask();
            default -> null;
        };
    }

    private interface Property {
        Object set(String name, String value);
    }

    private static void common(Property p) {
        p.set("hazelcast.logging.type", "jdk");
        p.set("hazelcast.phone.home.enabled", "false");
    }

    /**
     * Hazelcast's Java deserialization filter: its defaults (JDK basics, Hazelcast's own classes)
     * and the one class forkwise sends through it by Java serialization, the benchmarks' {@link
     * Noop} (a task's envelope and a counter's update are data-serializable, by ids); nothing of
     * the user's: those travel as codec bytes, through forkwise's class filter.
     */
    static JavaSerializationFilterConfig filter() {
        return new JavaSerializationFilterConfig()
                .setWhitelist(
                        new ClassFilter()
                                .addClasses(RemoteTask.class.getName(), Noop.class.getName()));
    }

    /**
     * On a machine whose common fork-join pool has one thread (two cores or fewer), Hazelcast runs
     * each async callback on a new thread of its own (it mirrors {@code CompletableFuture}'s rule),
     * which cut throughput 20-30× in the research runs; members get a larger common pool by a flag,
     * but a client's JVM is the user's. So in such a JVM forkwise gives Hazelcast a fork-join pool
     * of two or more daemon threads for its callbacks, once (through its internal {@code
     * ConcurrencyUtil}, the only setting there is).
     */
    static synchronized void asyncCallbacksOnAPool() {
        if (ForkJoinPool.getCommonPoolParallelism() >= 2 || callbacks != null) {
            return;
        }
        callbacks = new ForkJoinPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
        ConcurrencyUtil.setDefaultAsyncExecutor(callbacks);
    }

    private static ForkJoinPool callbacks;

    /**
     * Hazelcast logs much at INFO (every member joining, every partition move): warnings only,
     * unless the application configured the {@code com.hazelcast} logger itself.
     */
    static void quietLogging() {
        if (LogManager.getLogManager().getProperty("com.hazelcast.level") == null) {
            HAZELCAST_LOG.setLevel(Level.WARNING);
        }
    }
}
