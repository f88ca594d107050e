package dev.forkwise.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to reach a cluster: its name, the addresses of some of its members, and which classes its
 * values may hold.
 *
 * @param clusterName the cluster's name; members and clients of other names do not meet
 * @param addresses {@code host:port} of members to connect to (one live one is enough)
 * @param allowedClasses an {@link java.io.ObjectInputFilter} pattern that narrows the classes
 *     values read from the cluster may hold (results, queue and map values), or null for forkwise's
 *     default filter
 * @param connectTimeout how long to try to reach the members before giving up
 */
public record ClusterOptions(
        String clusterName,
        List<String> addresses,
        String allowedClasses,
        Duration connectTimeout) {

    /** The cluster name members and clients use when none is given. */
    public static final String DEFAULT_NAME = "forkwise";

    /** Checks the options. */
    public ClusterOptions {
        Objects.requireNonNull(clusterName, "clusterName");
        if (clusterName.isBlank()) {
            throw new IllegalArgumentException("the cluster name is blank");
        }
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException(
                    "no member address to connect to: give at least one host:port");
        }
        for (String a : addresses) {
            if (!a.matches("[^:\\s]+(:\\d{1,5})?")) {
                throw new IllegalArgumentException(
                        "'" + a + "' is not a member address: write host or host:port");
            }
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
    }

    /**
     * Options for the named cluster at these addresses, with a 30 s connect timeout.
     *
     * @param clusterName the cluster's name
     * @param addresses {@code host:port} of some members
     * @return the options
     */
    public static ClusterOptions of(String clusterName, String... addresses) {
        return new ClusterOptions(clusterName, List.of(addresses), null, Duration.ofSeconds(30));
    }

    /**
     * Returns these options with an allowed-classes pattern.
     *
     * @param pattern an {@link java.io.ObjectInputFilter} pattern
     * @return new options
     */
    public ClusterOptions allowedClasses(String pattern) {
        return new ClusterOptions(clusterName, addresses, pattern, connectTimeout);
    }

    /**
     * Returns these options with another connect timeout.
     *
     * @param timeout how long to try
     * @return new options
     */
    public ClusterOptions connectTimeout(Duration timeout) {
        return new ClusterOptions(clusterName, addresses, allowedClasses, timeout);
    }
}
