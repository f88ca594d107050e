package dev.forkwise.cli.bench;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.IExecutorService;

import dev.forkwise.Pool;
import dev.forkwise.cluster.Cluster;
import dev.forkwise.cluster.ClusterPoolOptions;
import dev.forkwise.cluster.Noop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * The cluster's workloads: forkwise's cluster pool beside Hazelcast's own executor doing the same
 * work on the same two local members, and a {@code map} beside worker JVMs. The members start once
 * per bench run, at the first cluster workload, and die with it.
 */
final class ClusterWorkloads {

    private static Cluster cluster;

    private ClusterWorkloads() {}

    /** The bench's local cluster of two member JVMs, started on first use. */
    static synchronized Cluster cluster() {
        if (cluster == null) {
            cluster = Cluster.local(2);
            Cluster c = cluster;
            Runtime.getRuntime().addShutdownHook(new Thread(c::close));
        }
        return cluster;
    }

    private static Member target() {
        return cluster().hazelcast().getCluster().getMembers().iterator().next();
    }

    /** A no-op's round trip through a cluster pool of one task at a time, on one member. */
    static Sample roundTrip(int n) throws Exception {
        try (Pool pool = cluster().pool(ClusterPoolOptions.defaults().parallelism(1))) {
            return JavaWorkloads.oneByOne(
                    n, "cluster.pool().submit", () -> pool.submit(() -> 0).get());
        }
    }

    /** The same through Hazelcast's executor directly, to one member. */
    static Sample rawRoundTrip(int n) throws Exception {
        IExecutorService ex = cluster().hazelcast().getExecutorService("forkwise");
        Member m = target();
        return JavaWorkloads.oneByOne(
                n, "IExecutorService.submitToMember", () -> ex.submitToMember(new Noop(), m).get());
    }

    /** Tasks per second: {@code n} no-ops submitted, then all awaited. */
    static Sample throughput(int n) throws Exception {
        try (Pool pool = cluster().pool()) {
            pipelined(n / 4, pool);
            long t = System.nanoTime();
            pipelined(n, pool);
            return Sample.of("cluster.pool().submit ×" + n, n / ((System.nanoTime() - t) / 1e9));
        }
    }

    private static void pipelined(int n, Pool pool) throws Exception {
        List<CompletableFuture<Integer>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fs.add(pool.submit(() -> 0));
        }
        for (CompletableFuture<Integer> f : fs) {
            f.get();
        }
    }

    /** The same through Hazelcast's executor, spread over the members. */
    static Sample rawThroughput(int n) throws Exception {
        IExecutorService ex = cluster().hazelcast().getExecutorService("forkwise");
        rawPipelined(n / 4, ex);
        long t = System.nanoTime();
        rawPipelined(n, ex);
        return Sample.of("IExecutorService.submit ×" + n, n / ((System.nanoTime() - t) / 1e9));
    }

    private static void rawPipelined(int n, IExecutorService ex) throws Exception {
        List<Future<Integer>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fs.add(ex.submit(new Noop()));
        }
        for (Future<Integer> f : fs) {
            f.get();
        }
    }

    /** Milliseconds for {@code map} of {@code n} trivial items on the cluster, automatic chunks. */
    static Sample map(int n) {
        List<Integer> inputs = IntStream.range(0, n).boxed().toList();
        try (Pool pool = cluster().pool()) {
            pool.map((Integer x) -> x * 2, inputs.subList(0, 10_000)); // warm both ends
            long t = System.nanoTime();
            List<Integer> out = pool.map((Integer x) -> x * 2, inputs);
            double ms = (System.nanoTime() - t) / 1e6;
            if (out.size() != n || out.getLast() != 2 * (n - 1)) {
                throw new IllegalStateException("wrong map results on the cluster");
            }
            return Sample.of("cluster.pool().map, 2 members", ms);
        }
    }
}
