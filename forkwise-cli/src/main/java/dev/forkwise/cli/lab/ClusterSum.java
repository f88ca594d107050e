package dev.forkwise.cli.lab;

import dev.forkwise.Fn;
import dev.forkwise.Pool;
import dev.forkwise.cli.Progress;
import dev.forkwise.cluster.Cluster;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The GIL guide's sum of squares on a cluster: two member JVMs on this machine ({@link
 * Cluster#local}) beside threads and worker JVMs, with what the hop to a member costs a task. On
 * one machine the cluster cannot beat its cores; the experiment shows what the same code pays to be
 * able to run on many.
 */
final class ClusterSum implements Experiment {

    private final long n;
    private final int tasks;

    ClusterSum(long n, int tasks) {
        this.n = n;
        this.tasks = tasks;
    }

    @Override
    public String id() {
        return "cluster";
    }

    @Override
    public String title() {
        return "The sum of squares on a 2-member local cluster, beside threads and worker JVMs";
    }

    @Override
    public boolean inQuickRun() {
        return false; // it starts two member JVMs: seconds a quick run does not have
    }

    @Override
    public Report run(Settings settings, Progress progress) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        int rounds = settings.rounds(3, 5);
        List<Long> inputs = Collections.nCopies(tasks, n);
        BigInteger want = SumOfSquares.expected(n);
        Fn<Long, BigInteger> work = SumOfSquares::sumOfSquares;
        progress.step("warming up the JIT");
        for (int i = 0; i < 3; i++) {
            SumOfSquares.sumOfSquares(n);
        }
        List<List<String>> rows = new ArrayList<>();
        progress.step("sequential loop");
        Measure.Result<List<BigInteger>> seq = Measure.loop(rounds, inputs, work);
        rows.add(Measure.row("sequential loop", "1", seq, seq, Measure.allEqual(seq, want)));
        progress.step("Pool.threads(" + cores + ")");
        Measure.Result<List<BigInteger>> threads;
        try (Pool pool = Pool.threads(cores)) {
            threads = Measure.onPool(pool, 0, rounds, work, inputs);
        }
        rows.add(
                Measure.row(
                        "Pool.threads(" + cores + ")",
                        String.valueOf(cores),
                        threads,
                        seq,
                        Measure.allEqual(threads, want)));
        progress.step("Pool.processes(2)");
        Measure.Result<List<BigInteger>> processes;
        Measure.Result<Object> jvmHop;
        try (Pool pool = Pool.processes(2)) {
            processes = Measure.onPool(pool, 3, rounds, work, inputs);
            jvmHop = hop(pool);
        }
        rows.add(
                Measure.row(
                        "Pool.processes(2), warm",
                        "2 JVMs",
                        processes,
                        seq,
                        Measure.allEqual(processes, want)));
        progress.step("starting 2 cluster members");
        long start = System.nanoTime();
        Measure.Result<List<BigInteger>> onCluster;
        Measure.Result<Object> clusterHop;
        Duration started;
        try (Cluster cluster = Cluster.local(2)) {
            started = Duration.ofNanos(System.nanoTime() - start);
            progress.step("cluster.pool()");
            try (Pool pool = cluster.pool()) {
                onCluster = Measure.onPool(pool, 3, rounds, work, inputs);
                clusterHop = hop(pool);
            }
        }
        rows.add(
                Measure.row(
                        "cluster.pool(), 2 members, warm",
                        "2 members",
                        onCluster,
                        seq,
                        Measure.allEqual(onCluster, want)));
        double p = seq.seconds() / processes.seconds();
        double c = seq.seconds() / onCluster.seconds();
        Report report =
                new Report(
                        title(),
                        "the Python guides stop at one machine; past it Python users move to Ray or"
                                + " Dask and rewrite. forkwise: change Pool.processes(2) to"
                                + " cluster.pool().",
                        Measure.speedupHeader(rounds),
                        rows,
                        List.of(
                                "A no-op task's round trip: "
                                        + Measure.time(jvmHop.median())
                                        + " to a worker JVM, "
                                        + Measure.time(clusterHop.median())
                                        + " to a cluster member (a Hazelcast client call over"
                                        + " TCP). Two members took "
                                        + Measure.time(started)
                                        + " to start and join."));
        return report.with(verdict(p, c, clusterHop.seconds(), jvmHop.seconds()))
                .with(
                        Chart.bar(
                                "The same sum: speedup over the loop",
                                "× the loop",
                                List.of("threads", "worker JVMs", "cluster"),
                                List.of(
                                        Chart.Series.bars(
                                                "Java",
                                                List.of(
                                                        seq.seconds() / threads.seconds(),
                                                        p,
                                                        c)))));
    }

    /** The median round trip of a no-op task, one at a time. */
    private static Measure.Result<Object> hop(Pool pool) throws Exception {
        for (int i = 0; i < 200; i++) {
            pool.submit(() -> null).get();
        }
        return Measure.median(201, () -> pool.submit(() -> null).get());
    }

    /**
     * The verdict on "one line moves the work to a cluster", from the speedups of the worker JVMs
     * and the cluster on the same machine and the round trips to each.
     *
     * @param processes the worker JVMs' speedup over the loop
     * @param cluster the cluster's
     * @param clusterHop a no-op's round trip to a member, in seconds
     * @param jvmHop a no-op's round trip to a worker JVM, in seconds
     * @return the verdict
     */
    static Verdict verdict(double processes, double cluster, double clusterHop, double jvmHop) {
        String figures =
                "on this machine two cluster members computed "
                        + Measure.ratio(cluster)
                        + " as fast as the loop, two worker JVMs "
                        + Measure.ratio(processes)
                        + "; a task's hop to a member costs "
                        + Measure.seconds(clusterHop)
                        + " against "
                        + Measure.seconds(jvmHop);
        if (cluster >= 0.8 * processes) {
            return Verdict.differs(
                    figures
                            + ": the same pool code scales out without a rewrite, and tasks of"
                            + " milliseconds or more do not feel the hop.");
        }
        return Verdict.differs(
                figures
                        + ": tasks this short feel the hop; give a cluster tasks of milliseconds"
                        + " or more.");
    }
}
