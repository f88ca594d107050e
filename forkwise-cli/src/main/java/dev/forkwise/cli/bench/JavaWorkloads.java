package dev.forkwise.cli.bench;

import dev.forkwise.Fn;
import dev.forkwise.Pool;
import dev.forkwise.ProcessOptions;
import dev.forkwise.WorkerJvms;
import dev.forkwise.cli.lab.MemoryPerWorker;
import dev.forkwise.cli.lab.Rss;
import dev.forkwise.cli.lab.SumOfSquares;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/** forkwise's side of each workload of {@code forkwise bench}. */
final class JavaWorkloads {

    static final int CORES = Runtime.getRuntime().availableProcessors();

    private static final Object GLOBAL_LOCK = new Object();

    private JavaWorkloads() {}

    /** Mean, p50 and p99 in µs of {@code n} submit-then-wait calls, after {@code n/4} warm-ups. */
    static Sample submitNoop(int n) throws Exception {
        try (Pool pool = Pool.threads(CORES)) {
            return oneByOne(n, "Pool.threads(" + CORES + ")", () -> pool.submit(() -> null).get());
        }
    }

    /** Like {@link #submitNoop} on a warm pool of worker JVMs, one per core. */
    static Sample submitNoopProcesses(int n) throws Exception {
        try (Pool pool = Pool.processes(CORES)) {
            return oneByOne(
                    n, "Pool.processes(" + CORES + ")", () -> pool.submit(() -> null).get());
        }
    }

    /**
     * Like {@link #submitNoop}, but a bare frame to a worker and back, no task: the transport
     * alone, after as many tasks as make a worker switch its channel to shared memory.
     */
    static Sample rawPingPong(int n) throws Exception {
        try (WorkerJvms.Channel channel = WorkerJvms.channel(Duration.ofSeconds(30))) {
            byte[] payload = new byte[16];
            return oneByOne(
                    n, "raw frame ping-pong, same channel", () -> channel.roundTrip(payload));
        }
    }

    /** A task's round trip on a one-worker pool, to set beside {@link #rawPingPong}. */
    static Sample submitNoopOneWorker(int n) throws Exception {
        try (Pool pool = Pool.processes(1)) {
            return oneByOne(n, "Pool.processes(1)", () -> pool.submit(() -> null).get());
        }
    }

    interface Op {
        void run() throws Exception;
    }

    static Sample oneByOne(int n, String impl, Op op) throws Exception {
        for (int i = 0; i < Math.max(1, n / 4); i++) {
            op.run();
        }
        double[] us = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            op.run();
            us[i] = (System.nanoTime() - t) / 1e3;
        }
        double mean = Arrays.stream(us).average().orElseThrow();
        Arrays.sort(us);
        return new Sample(
                impl,
                Map.of("value", mean, "p50", percentile(us, 0.5), "p99", percentile(us, 0.99)));
    }

    /** Warm-up runs before the pipelined row's measured runs: until the workers' JIT settles. */
    static final int PIPELINED_WARM_UPS = 5;

    /**
     * Tasks per second of {@code n} submits of a lambda that captures an {@code int}, then {@code
     * n} waits, on worker JVMs: the best of 3 runs after {@value #PIPELINED_WARM_UPS} warm-up runs
     * (new worker JVMs compile the channel's and the codec's paths during the first 100,000 or so
     * tasks; a long-lived pool runs compiled).
     */
    static Sample submitPipelinedProcesses(int n) throws Exception {
        try (Pool pool = Pool.processes(CORES)) {
            double best = 0;
            for (int run = 0; run < PIPELINED_WARM_UPS + 3; run++) {
                long t = System.nanoTime();
                List<CompletableFuture<Integer>> futures = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int k = i;
                    futures.add(pool.submit(() -> noop(k)));
                }
                long sum = 0;
                for (CompletableFuture<Integer> f : futures) {
                    sum += f.get();
                }
                double rate = n / ((System.nanoTime() - t) / 1e9);
                check(sum == (long) n * (n - 1) / 2, "pipelined results");
                if (run >= PIPELINED_WARM_UPS) {
                    best = Math.max(best, rate);
                }
            }
            return Sample.of("Pool.processes(" + CORES + ").submit(() -> noop(k))", best);
        }
    }

    private static int noop(int k) {
        return k;
    }

    /** Milliseconds for {@code map} of {@code n} trivial items on worker JVMs, automatic chunks. */
    static Sample mapProcesses(int n) {
        List<Integer> inputs = IntStream.range(0, n).boxed().toList();
        try (Pool pool = Pool.processes(CORES)) {
            pool.map((Integer x) -> x * 2, inputs.subList(0, 10_000)); // workers up and warm
            long t = System.nanoTime();
            List<Integer> out = pool.map((Integer x) -> x * 2, inputs);
            double ms = (System.nanoTime() - t) / 1e6;
            check(out.size() == n && out.getLast() == 2 * (n - 1), "map results");
            return Sample.of("Pool.processes(" + CORES + ").map", ms);
        }
    }

    /** Milliseconds from creating a pool of worker JVMs to its first result. */
    static Sample firstResultProcesses() throws Exception {
        long t = System.nanoTime();
        try (Pool pool = Pool.processes(CORES)) {
            pool.submit(() -> null).get();
            return Sample.of("Pool.processes(" + CORES + ")", (System.nanoTime() - t) / 1e6);
        }
    }

    /** How long the kept-warm workload keeps its workers: past the next round, not much longer. */
    private static final Duration KEPT = Duration.ofSeconds(20);

    /**
     * Milliseconds from creating a pool of worker JVMs to its first result, when an earlier pool
     * with the same settings has kept its workers warm ({@link ProcessOptions#keepWarm()}). The
     * earlier pool runs first, untimed: a program that makes pools one after another.
     */
    static Sample firstResultKeptWarmProcesses() throws Exception {
        ProcessOptions options = ProcessOptions.builder().workers(CORES).keepWarm(KEPT).build();
        try (Pool earlier = Pool.processes(options)) {
            earlier.submit(() -> null).get();
        }
        long t = System.nanoTime();
        try (Pool pool = Pool.processes(options)) {
            pool.submit(() -> null).get();
            return Sample.of(
                    "Pool.processes(" + CORES + "), keepWarm", (System.nanoTime() - t) / 1e6);
        }
    }

    /** Milliseconds to send {@code mib} MiB to a warm worker and get it back. */
    static Sample bigArgument(int mib) throws Exception {
        byte[] data = new byte[mib << 20];
        Arrays.fill(data, (byte) 7);
        try (Pool pool = Pool.processes(1)) {
            pool.submit(() -> null).get();
            pool.applyAsync((byte[] b) -> b, new byte[1 << 20]).get(); // warm the path
            long t = System.nanoTime();
            byte[] back = pool.applyAsync((byte[] b) -> b, data).get();
            double ms = (System.nanoTime() - t) / 1e6;
            check(back.length == data.length && back[back.length - 1] == 7, "64 MiB came back");
            return Sample.of("Pool.processes(1).applyAsync", ms);
        }
    }

    /** MiB of resident memory of an idle worker JVM that has run one task. */
    static Sample idleWorkerMemory() throws Exception {
        try (Pool pool = Pool.processes(1)) {
            long pid = pool.submit(() -> ProcessHandle.current().pid()).get();
            Thread.sleep(500);
            return Sample.of("idle worker JVM", Rss.of(pid) / 1048576.0);
        }
    }

    /**
     * MiB of resident memory of a bare JVM idling after an empty main, the same java and class
     * path.
     */
    static Sample bareJvmMemory() throws Exception {
        return Sample.of("bare JVM (empty main)", MemoryPerWorker.bareJvm() / 1048576.0);
    }

    /** Milliseconds for {@code map} of {@code n} trivial items with automatic chunking. */
    static Sample map(int n) {
        List<Integer> inputs = IntStream.range(0, n).boxed().toList();
        try (Pool pool = Pool.threads(CORES)) {
            pool.map((Integer x) -> x * 2, inputs.subList(0, 1_000)); // workers up
            long t = System.nanoTime();
            List<Integer> out = pool.map((Integer x) -> x * 2, inputs);
            double ms = (System.nanoTime() - t) / 1e6;
            check(out.size() == n && out.getLast() == 2 * (n - 1), "map results");
            return Sample.of("Pool.threads(" + CORES + ").map", ms);
        }
    }

    /** Milliseconds from creating a pool to its first result. */
    static Sample firstResult() throws Exception {
        long t = System.nanoTime();
        try (Pool pool = Pool.threads(CORES)) {
            pool.submit(() -> null).get();
            return Sample.of("Pool.threads(" + CORES + ")", (System.nanoTime() - t) / 1e6);
        }
    }

    /** Milliseconds for {@code n} tasks that each sleep 100 ms, on virtual threads. */
    static Sample waits(int n) {
        long t = System.nanoTime();
        try (Pool pool = Pool.virtualThreads()) {
            List<Integer> out =
                    pool.map(
                            (Integer x) -> {
                                Thread.sleep(100);
                                return x;
                            },
                            Collections.nCopies(n, 1));
            check(out.size() == n, "waits results");
        }
        return Sample.of("Pool.virtualThreads()", (System.nanoTime() - t) / 1e6);
    }

    /**
     * Like {@link #waits}, after one untimed run of the same, as {@link #waitsJdkWarm} does: the
     * JIT's first compiles of either side's code are not what the row compares.
     */
    static Sample waitsWarm(int n) {
        waits(n);
        System.gc(); // the untimed run's garbage is not the timed run's to collect
        return waits(n);
    }

    /** Like {@link #waitsJdk}, after one untimed run of the same. */
    static Sample waitsJdkWarm(int n) throws Exception {
        waitsJdk(n);
        System.gc();
        return waitsJdk(n);
    }

    /**
     * Like {@link #waits} on the JDK's own {@code newVirtualThreadPerTaskExecutor()}, a task
     * submitted per input and then each awaited.
     */
    static Sample waitsJdk(int n) throws Exception {
        long t = System.nanoTime();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                futures.add(
                        ex.submit(
                                () -> {
                                    Thread.sleep(100);
                                    return 1;
                                }));
            }
            int sum = 0;
            for (Future<Integer> f : futures) {
                sum += f.get();
            }
            check(sum == n, "waits results");
        }
        return Sample.of("newVirtualThreadPerTaskExecutor()", (System.nanoTime() - t) / 1e6);
    }

    /** Like {@link #map} with the JDK's {@code parallelStream().map(..).toList()}. */
    static Sample parallelStream(int n) {
        List<Integer> inputs = IntStream.range(0, n).boxed().toList();
        inputs.subList(0, 1_000).parallelStream().map((Integer x) -> x * 2).toList(); // warm
        long t = System.nanoTime();
        List<Integer> out = inputs.parallelStream().map((Integer x) -> x * 2).toList();
        double ms = (System.nanoTime() - t) / 1e6;
        check(out.size() == n && out.getLast() == 2 * (n - 1), "parallelStream results");
        return Sample.of("parallelStream().map(..).toList()", ms);
    }

    /**
     * Parallel efficiency, in percent, of {@code CORES} CPU-bound tasks on {@code CORES} platform
     * threads: (sequential time / parallel time) / cores.
     */
    static Sample cpuEfficiency(long n, boolean globalLock) {
        Fn<Long, BigInteger> task =
                globalLock
                        ? x -> {
                            synchronized (GLOBAL_LOCK) {
                                return SumOfSquares.sumOfSquares(x);
                            }
                        }
                        : SumOfSquares::sumOfSquares;
        List<Long> inputs = Collections.nCopies(CORES, n);
        try (Pool pool = Pool.threads(CORES)) {
            pool.map(task, inputs, 1); // warm up the JIT and the workers
            long t = System.nanoTime();
            for (long x : inputs) {
                SumOfSquares.sumOfSquares(x);
            }
            long sequential = System.nanoTime() - t;
            t = System.nanoTime();
            pool.map(task, inputs, 1);
            long parallel = System.nanoTime() - t;
            double efficiency = 100.0 * ((double) sequential / parallel) / CORES;
            return Sample.of(
                    "Pool.threads(" + CORES + ")" + (globalLock ? " + one global lock" : ""),
                    efficiency);
        }
    }

    /** Milliseconds for a bare JVM to start and run an empty main, measured from here. */
    static Sample jvmStart() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd =
                List.of(java, "-cp", System.getProperty("java.class.path"), Empty.class.getName());
        return Sample.of("java (empty main)", timeProcess(cmd));
    }

    /** Milliseconds for {@code python -c pass}, measured the same way as the JVM start. */
    static Sample pythonStart(String python) throws IOException, InterruptedException {
        return Sample.of("python3 -c pass", timeProcess(List.of(python, "-c", "pass")));
    }

    /** GB/s of copying {@code mib} MiB between two native segments. */
    static Sample memcpy(int mib) {
        long bytes = (long) mib << 20;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(bytes);
            MemorySegment dst = arena.allocate(bytes);
            src.fill((byte) 7);
            MemorySegment.copy(src, 0, dst, 0, bytes); // fault the pages in
            int rounds = 5;
            long t = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                MemorySegment.copy(src, 0, dst, 0, bytes);
            }
            double seconds = (System.nanoTime() - t) / 1e9;
            return Sample.of("MemorySegment.copy", rounds * bytes / seconds / 1e9);
        }
    }

    private static double timeProcess(List<String> cmd) throws IOException, InterruptedException {
        long t = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            p.getInputStream().readAllBytes();
            check(p.waitFor(60, TimeUnit.SECONDS), "process " + cmd + " exits");
            double ms = (System.nanoTime() - t) / 1e6;
            check(p.exitValue() == 0, cmd + " exited with " + p.exitValue());
            return ms;
        } finally {
            p.destroyForcibly();
        }
    }

    private static double percentile(double[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark check failed: " + what);
        }
    }
}
