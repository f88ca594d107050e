package dev.forkwise.cli;

import dev.forkwise.Pool;
import dev.forkwise.PoolConformanceTest;
import dev.forkwise.cluster.Cluster;
import dev.forkwise.cluster.ClusterPoolOptions;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The pool conformance suite every backend passes, on a cluster pool: two member JVMs on loopback,
 * shared by the suite's tests and killed after them. (It lives here, on the class path, because
 * forkwise-cluster's tests compile inside its module, where the suite's package cannot be read.)
 */
class ClusterConformanceTest extends PoolConformanceTest {

    private static Cluster cluster;

    @BeforeAll
    static void start() {
        cluster = Cluster.local(2);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected Pool create(int parallelism) {
        return cluster.pool(ClusterPoolOptions.defaults().parallelism(parallelism));
    }
}
