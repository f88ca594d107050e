package dev.forkwise.cli.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.management.OperatingSystemMXBean;

import dev.forkwise.ProcessOptions;
import dev.forkwise.WorkerJvms;
import dev.forkwise.cli.Forkwise;
import dev.forkwise.cli.Progress;
import dev.forkwise.cli.lab.HeapKept;
import dev.forkwise.cli.lab.Report;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code forkwise bench}: each workload in forkwise and in Python's standard library, on this
 * machine, interleaved round by round (forkwise, then Python, then the next workload; Python first
 * in even rounds), so that both sides see the same noise. Prints the medians and their ratio, and
 * writes them as JSON.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        versionProvider = Forkwise.VersionProvider.class,
        description = {
            "Runs the same workloads in forkwise and in Python's standard library, interleaved over"
                    + " several rounds, and prints each side's median and their ratio.",
            ""
        })
public final class BenchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--quick",
            description = "3 rounds and smaller one-by-one counts (default: 5 rounds).")
    boolean quick;

    @Option(names = "--rounds", description = "Rounds per workload (overrides --quick).")
    Integer rounds;

    @Option(
            names = "--python",
            defaultValue = "python3",
            description = "The Python interpreter (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write every sample and median as JSON to FILE.")
    Path json;

    @Option(
            names = "--wide",
            description = "Print the table as wide as it needs (default: at most 100 columns).")
    boolean wide;

    @Option(names = "--markdown", description = "Also write the table as Markdown to this file.")
    Path markdown;

    @Option(names = "--only", split = ",", description = "Run only these workloads, by id.")
    List<String> only = new ArrayList<>();

    /**
     * A workload: forkwise's side and the Python sides it is compared with.
     *
     * @param id short name
     * @param title what it does
     * @param unit the unit of every metric
     * @param higherIsBetter whether a larger value is better
     * @param java forkwise's side
     * @param against the Python sides, each with the metrics to compare
     */
    record Workload(
            String id,
            String title,
            String unit,
            boolean higherIsBetter,
            Side java,
            List<Against> against,
            boolean startsWorkers) {

        /** A workload whose forkwise side runs in this JVM alone. */
        Workload(
                String id,
                String title,
                String unit,
                boolean higherIsBetter,
                Side java,
                List<Against> against) {
            this(id, title, unit, higherIsBetter, java, against, false);
        }

        /**
         * @return this workload, marked as one whose forkwise side starts worker JVMs
         */
        Workload withWorkers() {
            return new Workload(id, title, unit, higherIsBetter, java, against, true);
        }
    }

    /**
     * A Python side and which metrics of it to compare.
     *
     * @param python the side
     * @param metrics metric names, {@code "value"} first
     */
    record Against(Side python, List<String> metrics) {}

    /**
     * One row of the result table.
     *
     * @param workload the workload's id
     * @param title what it measures, with the metric
     * @param unit the unit
     * @param higherIsBetter whether a larger value is better
     * @param forkwiseImpl what ran on the forkwise side
     * @param pythonImpl what ran on the Python side
     * @param forkwise forkwise's samples, one per round
     * @param python Python's samples, one per round
     */
    record Row(
            String workload,
            String title,
            String unit,
            boolean higherIsBetter,
            String forkwiseImpl,
            String pythonImpl,
            List<Double> forkwise,
            List<Double> python) {

        double forkwiseMedian() {
            return median(forkwise);
        }

        double pythonMedian() {
            return python.isEmpty() ? Double.NaN : median(python);
        }

        /** forkwise's median over Python's. */
        double ratio() {
            return forkwiseMedian() / pythonMedian();
        }

        String verdict() {
            if (python.isEmpty()) {
                return "no Python";
            }
            double better = higherIsBetter ? ratio() : 1 / ratio();
            String word =
                    higherIsBetter
                            ? (better >= 1 ? "higher" : "lower")
                            : (better >= 1 ? "faster" : "slower");
            double factor = better >= 1 ? better : 1 / better;
            return String.format(Locale.ROOT, "%.2f× %s", factor, word);
        }
    }

    static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static List<Workload> workloads(boolean quick, PythonScript py) {
        int oneByOne = quick ? 1_000 : 3_000;
        int cores = JavaWorkloads.CORES;
        List<Workload> w = new ArrayList<>();
        w.add(
                new Workload(
                        "submit-noop",
                        "no-op submit→result, one by one",
                        "µs/op",
                        false,
                        () -> JavaWorkloads.submitNoop(oneByOne),
                        py == null
                                ? List.of()
                                : List.of(
                                        new Against(
                                                py.side("submit-tpe", oneByOne),
                                                List.of("value", "p50", "p99")),
                                        new Against(
                                                py.side("submit-ppe", oneByOne),
                                                List.of("value", "p50", "p99")),
                                        new Against(
                                                py.side("submit-mp", oneByOne),
                                                List.of("value")))));
        w.add(
                new Workload(
                                "submit-noop-processes",
                                "no-op submit→result on worker JVMs, one by one",
                                "µs/op",
                                false,
                                () -> JavaWorkloads.submitNoopProcesses(oneByOne),
                                py == null
                                        ? List.of()
                                        : List.of(
                                                new Against(
                                                        py.side("submit-ppe", oneByOne),
                                                        List.of("value", "p50", "p99")),
                                                new Against(
                                                        py.side("submit-mp", oneByOne),
                                                        List.of("value"))))
                        .withWorkers());
        w.add(
                new Workload(
                                "submit-pipelined-processes",
                                "20,000 tiny tasks submitted, then awaited, on worker JVMs (best"
                                        + " of 3)",
                                "tasks/s",
                                true,
                                () -> JavaWorkloads.submitPipelinedProcesses(20_000),
                                py == null
                                        ? List.of()
                                        : List.of(
                                                new Against(
                                                        py.side("submit-ppe-pipelined", 20_000),
                                                        List.of("value")),
                                                new Against(
                                                        py.side("submit-mp-pipelined", 20_000),
                                                        List.of("value"))))
                        .withWorkers());
        w.add(
                new Workload(
                                "roundtrip-vs-raw",
                                "warm round trip of one tiny task vs the raw transport",
                                "µs/op",
                                false,
                                () -> JavaWorkloads.submitNoopOneWorker(oneByOne),
                                List.of(
                                        new Against(
                                                () -> JavaWorkloads.rawPingPong(oneByOne),
                                                List.of("value", "p50"))))
                        .withWorkers());
        w.add(
                new Workload(
                                "map-1m-processes",
                                "map of 1,000,000 trivial items on worker JVMs, automatic chunks",
                                "ms",
                                false,
                                () -> JavaWorkloads.mapProcesses(1_000_000),
                                py == null
                                        ? List.of()
                                        : List.of(
                                                new Against(
                                                        py.side("map-mp", 1_000_000),
                                                        List.of("value"))))
                        .withWorkers());
        // a new pool of worker JVMs against a bare JVM start and against Python's new pool
        List<Against> newPoolAgainst =
                py == null
                        ? List.of(new Against(JavaWorkloads::jvmStart, List.of("value")))
                        : List.of(
                                new Against(JavaWorkloads::jvmStart, List.of("value")),
                                new Against(py.side("first-result-mp", 0), List.of("value")));
        w.add(
                new Workload(
                                "first-result-processes",
                                "new pool of worker JVMs → first result",
                                "ms",
                                false,
                                JavaWorkloads::firstResultProcesses,
                                newPoolAgainst)
                        .withWorkers());
        w.add(
                new Workload(
                                "first-result-kept-warm",
                                "new pool of worker JVMs kept warm by an earlier pool → first"
                                        + " result",
                                "ms",
                                false,
                                JavaWorkloads::firstResultKeptWarmProcesses,
                                newPoolAgainst)
                        .withWorkers());
        w.add(
                new Workload(
                                "arg-64mib",
                                "64 MiB argument to a worker and back",
                                "ms",
                                false,
                                () -> JavaWorkloads.bigArgument(64),
                                py == null
                                        ? List.of()
                                        : List.of(
                                                new Against(
                                                        py.side("arg-ppe", 64), List.of("value"))))
                        .withWorkers());
        w.add(
                new Workload(
                                "idle-worker-memory",
                                "resident memory of an idle worker",
                                "MiB",
                                false,
                                JavaWorkloads::idleWorkerMemory,
                                List.of(
                                        new Against(
                                                JavaWorkloads::bareJvmMemory, List.of("value"))))
                        .withWorkers());
        int messages = quick ? 200_000 : 500_000;
        w.add(
                new Workload(
                                "ipc-queue",
                                "SharedQueue, one producer process → one consumer process, 64-byte"
                                        + " messages",
                                "msg/s",
                                true,
                                () -> IpcWorkloads.queueOneToOne(messages),
                                py == null
                                        ? List.of()
                                        : List.of(
                                                new Against(
                                                        py.side("queue-mp", messages),
                                                        List.of("value"))))
                        .withWorkers());
        w.add(
                new Workload(
                                "ipc-queue-4x4",
                                "SharedQueue, 4 producer processes × 4 consumer processes, 64-byte"
                                        + " messages",
                                "msg/s",
                                true,
                                () -> IpcWorkloads.queueFourByFour(messages / 4),
                                py == null
                                        ? List.of()
                                        : List.of(
                                                new Against(
                                                        py.side("queue-mp-4x4", messages / 4),
                                                        List.of("value"))))
                        .withWorkers());
        w.add(
                new Workload(
                                "ipc-attach",
                                "a worker attaches a 64 MiB shared array it was passed",
                                "ms",
                                false,
                                IpcWorkloads::attach64MiB,
                                List.of(new Against(IpcWorkloads::copy64MiB, List.of("value"))))
                        .withWorkers());
        w.add(
                new Workload(
                                "ipc-lock",
                                "SharedLock, uncontended lock + unlock (median of 1,000-pair"
                                        + " batches)",
                                "ns",
                                false,
                                () -> IpcWorkloads.lockUncontended(100_000),
                                py == null
                                        ? List.of()
                                        : List.of(
                                                new Against(
                                                        py.side("lock-mp", 100_000),
                                                        List.of("value"))))
                        .withWorkers());
        w.add(
                new Workload(
                                "ipc-rlock",
                                "SharedReentrantLock, uncontended lock, lock, unlock, unlock"
                                        + " (median of 1,000-nest batches)",
                                "ns",
                                false,
                                () -> IpcWorkloads.reentrantLockUncontended(100_000),
                                py == null
                                        ? List.of()
                                        : List.of(
                                                new Against(
                                                        py.side("rlock-mp", 100_000),
                                                        List.of("value"))))
                        .withWorkers());
        w.add(
                new Workload(
                                "ipc-condition",
                                "SharedCondition hand-off and back, parent ↔ worker",
                                "µs",
                                false,
                                () -> IpcWorkloads.conditionRoundTrip(oneByOne),
                                py == null
                                        ? List.of()
                                        : List.of(
                                                new Against(
                                                        py.side("condition-mp", oneByOne),
                                                        List.of("value"))))
                        .withWorkers());
        w.add(
                new Workload(
                                "ipc-counter",
                                "shared counter, exact increments from 2 processes",
                                "ops/s",
                                true,
                                () -> IpcWorkloads.counterTwoProcesses(5_000_000),
                                py == null
                                        ? List.of()
                                        : List.of(
                                                new Against(
                                                        py.side("value-mp", 200_000),
                                                        List.of("value"))))
                        .withWorkers());
        w.add(
                new Workload(
                                "ipc-pipe",
                                "Pipe round trip, parent ↔ worker",
                                "µs",
                                false,
                                () -> IpcWorkloads.pipeRoundTrip(oneByOne * 10),
                                py == null
                                        ? List.of(
                                                new Against(
                                                        () -> JavaWorkloads.rawPingPong(oneByOne),
                                                        List.of("value", "p50")))
                                        : List.of(
                                                new Against(
                                                        () -> JavaWorkloads.rawPingPong(oneByOne),
                                                        List.of("value", "p50")),
                                                new Against(
                                                        py.side("pipe-mp", oneByOne * 10),
                                                        List.of("value"))))
                        .withWorkers());
        w.add(
                new Workload(
                                "ipc-map",
                                "shared map, updates from 4 processes",
                                "updates/s",
                                true,
                                () -> IpcWorkloads.mapFourWorkers(quick ? 10_000 : 20_000),
                                py == null
                                        ? List.of()
                                        : List.of(
                                                new Against(
                                                        py.side("manager-dict", 2_500),
                                                        List.of("value"))))
                        .withWorkers());
        w.add(
                new Workload(
                        "map-1m",
                        "map of 1,000,000 trivial items, automatic chunks",
                        "ms",
                        false,
                        () -> JavaWorkloads.map(1_000_000),
                        py == null
                                ? List.of()
                                : List.of(
                                        new Against(
                                                py.side("map-mp", 1_000_000), List.of("value")))));
        w.add(
                new Workload(
                        "map-1m-stream",
                        "map of 1,000,000 trivial items, automatic chunks, beside the JDK",
                        "ms",
                        false,
                        () -> JavaWorkloads.map(1_000_000),
                        List.of(
                                new Against(
                                        () -> JavaWorkloads.parallelStream(1_000_000),
                                        List.of("value")))));
        w.add(
                new Workload(
                        "first-result",
                        "new pool → first result",
                        "ms",
                        false,
                        JavaWorkloads::firstResult,
                        py == null
                                ? List.of()
                                : List.of(
                                        new Against(
                                                py.side("first-result-mp", 0), List.of("value")),
                                        new Against(
                                                py.side("first-result-tpe", 0),
                                                List.of("value")))));
        w.add(
                new Workload(
                        "waits-1k",
                        "1,000 tasks that each wait 100 ms",
                        "ms",
                        false,
                        () -> JavaWorkloads.waits(1_000),
                        py == null
                                ? List.of()
                                : List.of(
                                        new Against(
                                                py.side("waits-asyncio", 1_000), List.of("value")),
                                        new Against(
                                                py.side("waits-tpe", 1_000), List.of("value")))));
        w.add(
                new Workload(
                        "waits-100k",
                        "100,000 tasks that each wait 100 ms",
                        "ms",
                        false,
                        () -> JavaWorkloads.waits(100_000),
                        py == null
                                ? List.of()
                                : List.of(
                                        new Against(
                                                py.side("waits-asyncio", 100_000),
                                                List.of("value")))));
        w.add(
                new Workload(
                        "waits-100k-jdk",
                        "100,000 tasks that each wait 100 ms, beside the JDK (each after a"
                                + " warm-up run)",
                        "ms",
                        false,
                        () -> JavaWorkloads.waitsWarm(100_000),
                        List.of(
                                new Against(
                                        () -> JavaWorkloads.waitsJdkWarm(100_000),
                                        List.of("value")))));
        w.add(
                new Workload(
                        "cpu",
                        "CPU-bound efficiency on all " + cores + " cores",
                        "%",
                        true,
                        () -> JavaWorkloads.cpuEfficiency(100_000_000, false),
                        py == null
                                ? List.of()
                                : List.of(
                                        new Against(
                                                py.side("cpu-processes", 3_000_000),
                                                List.of("value")))));
        w.add(
                new Workload(
                        "cpu-global-lock",
                        "CPU-bound efficiency, every task behind one global lock",
                        "%",
                        true,
                        () -> JavaWorkloads.cpuEfficiency(100_000_000, true),
                        py == null
                                ? List.of()
                                : List.of(
                                        new Against(
                                                py.side("cpu-threads-gil", 3_000_000),
                                                List.of("value")))));
        w.add(
                new Workload(
                        "start",
                        "baseline: interpreter start, empty program",
                        "ms",
                        false,
                        JavaWorkloads::jvmStart,
                        py == null
                                ? List.of()
                                : List.of(
                                        new Against(
                                                () -> JavaWorkloads.pythonStart(py.python()),
                                                List.of("value")))));
        w.add(
                new Workload(
                        "memcpy",
                        "baseline: copy 64 MiB in memory",
                        "GB/s",
                        true,
                        () -> JavaWorkloads.memcpy(64),
                        py == null
                                ? List.of()
                                : List.of(new Against(py.side("memcpy", 64), List.of("value")))));
        // the cluster: forkwise's pool against Hazelcast's own executor on the same two local
        // members, and a map against worker JVMs and Python
        w.add(
                new Workload(
                                "cluster-roundtrip",
                                "no-op round trip on a 2-member local cluster vs Hazelcast's"
                                        + " executor",
                                "µs/op",
                                false,
                                () -> ClusterWorkloads.roundTrip(oneByOne),
                                List.of(
                                        new Against(
                                                () -> ClusterWorkloads.rawRoundTrip(oneByOne),
                                                List.of("value", "p50"))))
                        .withWorkers());
        int pipelined = quick ? 5_000 : 20_000;
        w.add(
                new Workload(
                                "cluster-throughput",
                                "pipelined no-op tasks on a 2-member local cluster vs Hazelcast's"
                                        + " executor",
                                "tasks/s",
                                true,
                                () -> ClusterWorkloads.throughput(pipelined),
                                List.of(
                                        new Against(
                                                () -> ClusterWorkloads.rawThroughput(pipelined),
                                                List.of("value"))))
                        .withWorkers());
        List<Against> mapAgainst = new ArrayList<>();
        mapAgainst.add(new Against(() -> JavaWorkloads.mapProcesses(1_000_000), List.of("value")));
        if (py != null) {
            mapAgainst.add(new Against(py.side("map-mp", 1_000_000), List.of("value")));
        }
        w.add(
                new Workload(
                                "map-1m-cluster",
                                "map of 1,000,000 trivial items on a 2-member local cluster,"
                                        + " automatic chunks",
                                "ms",
                                false,
                                () -> ClusterWorkloads.map(1_000_000),
                                mapAgainst)
                        .withWorkers());
        return w;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int n = rounds != null ? rounds : quick ? 3 : 5;
        if (n < 1) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--rounds must be at least 1, was " + n);
        }
        Optional<PythonScript> py = PythonScript.find(python);
        Optional<String> pyVersion = py.flatMap(p -> PythonScript.version(p.python()));
        if (py.isEmpty()) {
            out.println(
                    "forkwise bench: '"
                            + python
                            + "' cannot be run, so only forkwise's side is measured"
                            + " (install Python 3, or point --python at it).");
        }
        List<Workload> all = workloads(quick, py.orElse(null));
        List<Workload> chosen = choose(all);
        String machine = machine(pyVersion);
        out.println(
                "forkwise bench "
                        + Forkwise.version()
                        + " — "
                        + machine
                        + "; "
                        + n
                        + " rounds, interleaved");
        out.flush();
        if (chosen.stream().anyMatch(Workload::startsWorkers)) {
            // worker JVMs start from the JDK's AOT cache: train it before measuring, not during
            // round 1
            Optional<Path> cache = WorkerJvms.prepareStartUp(ProcessOptions.ofWorkers(1));
            out.println(
                    "  worker JVMs: " + cache.map(c -> "AOT cache " + c).orElse("no AOT cache"));
        }

        Map<String, Row> rows = new LinkedHashMap<>();
        try (HeapKept kept =
                HeapKept.now()) { // the System.gc() below would otherwise shrink it each time
            try (Progress progress =
                    Progress.onTerminal()
                            ? Progress.bar("bench", n * chosen.size())
                            : Progress.lines(out)) {
                measure(chosen, n, rows, progress);
            }
        }
        List<Row> result = List.copyOf(rows.values());
        out.println();
        out.println(table(result, wide ? Integer.MAX_VALUE : 100));
        if (json != null) {
            Files.writeString(json, json(result, machine, n));
            out.println("Results: " + json.toAbsolutePath());
        }
        if (markdown != null) {
            Files.writeString(markdown, markdown(result, machine, n));
            out.println("Markdown: " + markdown.toAbsolutePath());
        }
        out.flush();
        return 0;
    }

    /**
     * Runs every chosen workload once per round into {@code rows}: forkwise's side first in odd
     * rounds and last in even ones, so neither side always inherits what the other left behind (the
     * workers of the row before still exiting, the JIT still compiling its code).
     */
    private static void measure(
            List<Workload> chosen, int n, Map<String, Row> rows, Progress progress)
            throws Exception {
        for (int round = 1; round <= n; round++) {
            boolean forkwiseFirst = round % 2 == 1;
            for (Workload w : chosen) {
                progress.step("round " + round + "/" + n + ": " + w.title());
                Sample first = forkwiseFirst ? measureFresh(w.java()) : null;
                List<Sample> others = new ArrayList<>();
                for (Against a : w.against()) {
                    others.add(measureFresh(a.python()));
                }
                Sample f = forkwiseFirst ? first : measureFresh(w.java());
                if (w.against().isEmpty()) {
                    rows.computeIfAbsent(
                                    w.id(),
                                    k ->
                                            new Row(
                                                    w.id(),
                                                    w.title(),
                                                    w.unit(),
                                                    w.higherIsBetter(),
                                                    f.impl(),
                                                    "—",
                                                    new ArrayList<>(),
                                                    new ArrayList<>()))
                            .forkwise()
                            .add(f.get("value"));
                }
                for (int i = 0; i < others.size(); i++) {
                    Sample p = others.get(i);
                    for (String metric : w.against().get(i).metrics()) {
                        String title =
                                metric.equals("value")
                                        ? w.title()
                                        : w.title() + " (" + metric + ")";
                        Row row =
                                rows.computeIfAbsent(
                                        w.id() + "/" + p.impl() + "/" + metric,
                                        k ->
                                                new Row(
                                                        w.id(),
                                                        title,
                                                        w.unit(),
                                                        w.higherIsBetter(),
                                                        f.impl(),
                                                        p.impl(),
                                                        new ArrayList<>(),
                                                        new ArrayList<>()));
                        row.forkwise().add(f.get(metric));
                        row.python().add(p.get(metric));
                    }
                }
            }
        }
    }

    /**
     * Measures one side from a collected heap: not from the garbage the workloads before it left in
     * this JVM (a Python side runs in a process of its own); the heap keeps its size ({@link
     * HeapKept}).
     */
    private static Sample measureFresh(Side side) throws Exception {
        System.gc();
        return side.measure();
    }

    private List<Workload> choose(List<Workload> all) {
        if (only.isEmpty()) {
            return all;
        }
        List<Workload> chosen = new ArrayList<>();
        for (String id : only) {
            chosen.add(
                    all.stream()
                            .filter(w -> w.id().equals(id))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new picocli.CommandLine.ParameterException(
                                                    spec.commandLine(),
                                                    "no workload '"
                                                            + id
                                                            + "'; the workloads are: "
                                                            + all.stream()
                                                                    .map(Workload::id)
                                                                    .collect(
                                                                            Collectors.joining(
                                                                                    ", ")))));
        }
        return chosen;
    }

    static String machine(Optional<String> pythonVersion) {
        long memory =
                ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getTotalMemorySize();
        return String.format(
                Locale.ROOT,
                "%d cores, %.0f GiB, Java %s, %s, %s %s",
                JavaWorkloads.CORES,
                memory / (double) (1L << 30),
                Runtime.version(),
                pythonVersion.orElse("no Python"),
                System.getProperty("os.name"),
                System.getProperty("os.arch"));
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "—";
        }
        return v >= 100
                ? String.format(Locale.ROOT, "%,.0f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    static String table(List<Row> rows) {
        return table(rows, Integer.MAX_VALUE);
    }

    /** The results as a table at most {@code width} wide: what ran on each side goes first. */
    static String table(List<Row> rows, int width) {
        List<String> header =
                List.of(
                        "workload",
                        "forkwise",
                        "Python",
                        "unit",
                        "forkwise median",
                        "Python median",
                        "forkwise vs Python");
        List<List<String>> cells =
                rows.stream()
                        .map(
                                r ->
                                        List.of(
                                                r.title(),
                                                r.forkwiseImpl(),
                                                r.pythonImpl(),
                                                r.unit(),
                                                number(r.forkwiseMedian()),
                                                number(r.pythonMedian()),
                                                r.verdict()))
                        .toList();
        return new Report("", "", header, cells, List.of())
                .dropping("Python", "forkwise")
                .table(width);
    }

    static String markdown(List<Row> rows, String machine, int n) {
        StringBuilder s = new StringBuilder();
        s.append("Measured ")
                .append(LocalDate.now())
                .append(" on ")
                .append(machine)
                .append(", ")
                .append(n)
                .append(" interleaved rounds (median of each side).\n\n");
        s.append(
                "| workload | forkwise | Python | unit | forkwise median | Python median | forkwise"
                        + " vs Python |\n");
        s.append("|---|---|---|---|---:|---:|---|\n");
        for (Row r : rows) {
            s.append("| ")
                    .append(r.title())
                    .append(" | `")
                    .append(r.forkwiseImpl())
                    .append("` | `")
                    .append(r.pythonImpl())
                    .append("` | ")
                    .append(r.unit())
                    .append(" | ")
                    .append(number(r.forkwiseMedian()))
                    .append(" | ")
                    .append(number(r.pythonMedian()))
                    .append(" | ")
                    .append(r.verdict())
                    .append(" |\n");
        }
        return s.toString();
    }

    static String json(List<Row> rows, String machine, int n) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("date", LocalDate.now().toString());
        doc.put("machine", machine);
        doc.put("rounds", n);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("workload", r.workload());
            row.put("title", r.title());
            row.put("unit", r.unit());
            row.put("higherIsBetter", r.higherIsBetter());
            row.put("forkwise", r.forkwiseImpl());
            row.put("python", r.pythonImpl());
            row.put("forkwiseMedian", jsonNumber(r.forkwiseMedian()));
            row.put("pythonMedian", jsonNumber(r.pythonMedian()));
            row.put(
                    "ratioForkwiseOverPython",
                    jsonNumber(r.python().isEmpty() ? Double.NaN : r.ratio()));
            row.put(
                    "forkwiseSamples",
                    r.forkwise().stream().map(BenchCommand::jsonNumber).toList());
            row.put("pythonSamples", r.python().stream().map(BenchCommand::jsonNumber).toList());
            out.add(row);
        }
        doc.put("rows", out);
        return JSON.std
                        .with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES)
                        .asString(doc)
                + "\n";
    }

    /** A measurement for the JSON: null where there is none, rounded to 4 decimals. */
    private static Double jsonNumber(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 1e4) / 1e4;
    }
}
