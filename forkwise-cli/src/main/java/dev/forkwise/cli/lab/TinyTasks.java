package dev.forkwise.cli.lab;

import dev.forkwise.Fn;
import dev.forkwise.Pool;
import dev.forkwise.cli.Progress;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The GIL guide's "overhead dominates": {@code executor.map(lambda x: x * 2, ...)} on a process
 * pool is slower than a plain loop, because handing a task over costs more than the task. Measured
 * on threads and worker JVMs, one task per hand-off and in automatic chunks, and as a curve: the
 * speedup over the loop as the task grows from 1 µs to 1 ms.
 */
final class TinyTasks implements Experiment {

    private final int items;

    TinyTasks(int items) {
        this.items = items;
    }

    @Override
    public String id() {
        return "tiny-tasks";
    }

    @Override
    public String title() {
        return "Tiny tasks: x * 2 over " + Measure.count(items) + " items (GIL guide)";
    }

    static long twice(int x) {
        return x * 2L;
    }

    /** A task that computes for about {@code micros} microseconds. */
    static long spin(int micros) {
        long end = System.nanoTime() + micros * 1_000L;
        long x = micros;
        while (System.nanoTime() < end) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    @Override
    public Report run(Settings settings, Progress progress) throws Exception {
        int n = settings.quick() ? items / 20 : items;
        int cores = Runtime.getRuntime().availableProcessors();
        int rounds = settings.rounds(3, 5);
        List<Integer> inputs = IntStream.range(0, n).boxed().toList();
        Fn<Integer, Long> task = TinyTasks::twice;
        List<List<String>> rows = new ArrayList<>();
        List<Double> perItem = new ArrayList<>();

        progress.step("sequential loop");
        Measure.Result<List<Long>> loop =
                Measure.median(
                        rounds + 2,
                        () -> {
                            List<Long> out = new ArrayList<>(n);
                            for (int x : inputs) {
                                out.add(twice(x));
                            }
                            return out;
                        });
        add(rows, perItem, "sequential loop", loop, loop, n);
        Measure.Result<List<Long>> threads1;
        Measure.Result<List<Long>> threadsAuto;
        try (Pool pool = Pool.threads(cores)) {
            progress.step("Pool.threads(" + cores + "), one item per hand-off");
            pool.map(task, inputs, 1);
            threads1 = Measure.median(rounds, () -> pool.map(task, inputs, 1));
            progress.step("Pool.threads(" + cores + "), automatic chunks");
            threadsAuto = Measure.median(rounds, () -> pool.map(task, inputs));
        }
        add(rows, perItem, "Pool.threads(" + cores + "), chunk 1", threads1, loop, n);
        add(rows, perItem, "Pool.threads(" + cores + "), auto chunks", threadsAuto, loop, n);
        Measure.Result<List<Long>> processes1;
        Measure.Result<List<Long>> processesAuto;
        List<Double> threadCurve = new ArrayList<>();
        List<Double> processCurve = new ArrayList<>();
        List<Double> sizes = List.of(1.0, 10.0, 100.0, 1000.0);
        Fn<Integer, Long> spin = TinyTasks::spin;
        try (Pool pool = Pool.processes(cores)) {
            progress.step("Pool.processes(" + cores + "), one item per hand-off");
            pool.map(task, inputs, 1); // start the workers and warm them
            processes1 = Measure.median(rounds, () -> pool.map(task, inputs, 1));
            progress.step("Pool.processes(" + cores + "), automatic chunks");
            processesAuto = Measure.median(rounds, () -> pool.map(task, inputs));
            progress.step("task size from 1 µs to 1 ms");
            try (Pool threads = Pool.threads(cores)) {
                for (double size : sizes) {
                    int count =
                            (int)
                                    Math.max(
                                            4L * cores,
                                            (settings.quick() ? 10_000 : 100_000) / (long) size);
                    List<Integer> micros = Collections.nCopies(count, (int) size);
                    double alone = count * size / 1e6;
                    threadCurve.add(
                            alone
                                    / Measure.median(rounds, () -> threads.map(spin, micros, 1))
                                            .seconds());
                    processCurve.add(
                            alone
                                    / Measure.median(rounds, () -> pool.map(spin, micros, 1))
                                            .seconds());
                }
            }
        }
        add(rows, perItem, "Pool.processes(" + cores + "), chunk 1", processes1, loop, n);
        add(rows, perItem, "Pool.processes(" + cores + "), auto chunks", processesAuto, loop, n);
        List<String> findings =
                List.of(
                        "Automatic chunks hand over many items at once: worker JVMs then took "
                                + perItemWords(processesAuto.seconds() / n)
                                + " per item instead of "
                                + perItemWords(processes1.seconds() / n)
                                + ". Chunks help, but a task this small belongs in a plain loop.",
                        "From the curve: at "
                                + (int) (double) sizes.get(sizes.size() - 1)
                                + " µs per task worker JVMs ran "
                                + Measure.ratio(processCurve.getLast())
                                + " as fast as one core, at 1 µs "
                                + Measure.ratio(processCurve.getFirst())
                                + ".");
        Report report =
                new Report(
                        title(),
                        "the GIL guide: \"Bad - overhead dominates\": executor.map(lambda x: x * 2,"
                                + " range(100)) on a ProcessPoolExecutor.",
                        List.of("how", "time (median)", "per item", "vs loop"),
                        rows,
                        findings);
        report =
                report.with(verdict(loop.seconds(), processes1.seconds(), threads1.seconds()))
                        .with(
                                Chart.logLine(
                                        "Speedup over one core as tasks grow (one per hand-off)",
                                        "µs of work per task",
                                        "× one core",
                                        List.of(
                                                new Chart.Series(
                                                        "Pool.threads(" + cores + ")",
                                                        sizes,
                                                        threadCurve),
                                                new Chart.Series(
                                                        "Pool.processes(" + cores + ")",
                                                        sizes,
                                                        processCurve))));
        if (settings.withPython()) {
            progress.step("the guide's Python");
            Map<String, Object> py = settings.python().run(id(), n);
            double[] s = {
                num(py, "loop"),
                num(py, "threads"),
                Double.NaN,
                num(py, "processes"),
                num(py, "processes_chunked")
            };
            List<String> cells = new ArrayList<>();
            for (double v : s) {
                cells.add(Double.isNaN(v) ? "-" : perItemWords(v / n));
            }
            report = report.withColumn(3, "Python per item", cells);
        }
        return report;
    }

    static double num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalStateException("the Python side gave no number for " + key + ": " + m);
        }
        return n.doubleValue();
    }

    private static void add(
            List<List<String>> rows,
            List<Double> perItem,
            String how,
            Measure.Result<List<Long>> r,
            Measure.Result<List<Long>> loop,
            int n) {
        perItem.add(r.seconds() / n);
        rows.add(
                List.of(
                        how,
                        Measure.time(r.median()),
                        perItemWords(r.seconds() / n),
                        Measure.ratio(loop.seconds() / r.seconds())));
    }

    static String perItemWords(double seconds) {
        if (seconds >= 1e-3) {
            return String.format(Locale.ROOT, "%.2f ms", seconds * 1e3);
        }
        if (seconds >= 1e-6) {
            return String.format(Locale.ROOT, "%.2f µs", seconds * 1e6);
        }
        return String.format(Locale.ROOT, "%.1f ns", seconds * 1e9);
    }

    /**
     * The verdict on "overhead dominates for x * 2 on processes", from the loop's time and the
     * pools' with one item per hand-off.
     *
     * @param loop the plain loop's seconds
     * @param processes worker JVMs' seconds, one item per hand-off
     * @param threads platform threads' seconds, one item per hand-off
     * @return the verdict
     */
    static Verdict verdict(double loop, double processes, double threads) {
        String figures =
                "one item per hand-off, worker JVMs took "
                        + Measure.ratio(processes / loop)
                        + " the loop's time and threads "
                        + Measure.ratio(threads / loop);
        if (processes > loop) {
            return Verdict.holds(
                    figures + ": handing x * 2 over costs far more than computing it.");
        }
        return Verdict.differs(figures + ": the hand-off was cheaper than the work here.");
    }
}
