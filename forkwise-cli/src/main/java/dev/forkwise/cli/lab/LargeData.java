package dev.forkwise.cli.lab;

import dev.forkwise.Pool;
import dev.forkwise.cli.Progress;
import dev.forkwise.ipc.SharedArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The guides' "data serialization between processes has a cost": a large array handed to a worker
 * JVM as a task's argument (serialized, sent, decoded), against the same bytes in shared memory
 * that the worker reads where they are, against a thread that shares the heap.
 */
final class LargeData implements Experiment {

    private final int mib;

    LargeData(int mib) {
        this.mib = mib;
    }

    @Override
    public String id() {
        return "large-data";
    }

    @Override
    public String title() {
        return "Passing large data to a worker: serialized, shared memory, or a thread";
    }

    /** Reads every 4,096th byte: touches every page, as a real reader would. */
    static long checksum(byte[] data) {
        long s = 0;
        for (int i = 0; i < data.length; i += 4096) {
            s += data[i];
        }
        return s;
    }

    static long checksum(SharedArray.Bytes data) {
        long s = 0;
        for (int i = 0; i < data.length(); i += 4096) {
            s += data.get(i);
        }
        return s;
    }

    @Override
    public Report run(Settings settings, Progress progress) throws Exception {
        int size = (settings.quick() ? Math.max(1, mib / 4) : mib) * 1024 * 1024;
        int rounds = settings.rounds(3, 5);
        byte[] data = new byte[size];
        for (int i = 0; i < size; i += 4096) {
            data[i] = (byte) i;
        }
        long want = checksum(data);
        List<List<String>> rows = new ArrayList<>();
        Measure.Result<Long> thread;
        progress.step("a thread");
        try (Pool pool = Pool.threads(1)) {
            thread = Measure.median(rounds, () -> pool.submit(() -> checksum(data)).get());
        }
        Measure.Result<Long> serialized;
        Measure.Result<Long> shared;
        try (Pool pool = Pool.processes(1);
                SharedArray.Bytes bytes = SharedArray.bytes(size)) {
            progress.step("a worker JVM, serialized");
            pool.submit(() -> checksum(new byte[4096])).get(); // start the worker
            serialized = Measure.median(rounds, () -> pool.submit(() -> checksum(data)).get());
            progress.step("a worker JVM, shared memory");
            bytes.copyFrom(data);
            pool.submit(() -> checksum(bytes)).get(); // the worker attaches once
            shared = Measure.median(rounds, () -> pool.submit(() -> checksum(bytes)).get());
        }
        String mibs = Measure.count(size / (1024 * 1024)) + " MiB";
        rows.add(row("Pool.threads(1): the same heap", thread, want));
        rows.add(row("Pool.processes(1): serialized as an argument", serialized, want));
        rows.add(row("Pool.processes(1): SharedArray.bytes", shared, want));
        Report report =
                new Report(
                        title(),
                        "the Understanding guide: \"data serialization and deserialization incur"
                            + " overhead in inter-process communication\"; the GIL guide: Python"
                            + " uses pickle for everything passed to a process.",
                        List.of("how " + mibs + " reach the task", "time (median)", "result"),
                        rows,
                        List.of(
                                "Shared memory is written once and then read in place by every"
                                        + " task that is handed its SharedArray; a serialized"
                                        + " argument is copied and decoded on every task."));
        report =
                report.with(verdict(thread.seconds(), serialized.seconds(), shared.seconds()))
                        .with(
                                Chart.bar(
                                        "Time to hand " + mibs + " to a task",
                                        "milliseconds",
                                        List.of("thread", "serialized", "shared memory"),
                                        List.of(
                                                Chart.Series.bars(
                                                        "Java",
                                                        List.of(
                                                                thread.seconds() * 1e3,
                                                                serialized.seconds() * 1e3,
                                                                shared.seconds() * 1e3)))));
        if (settings.withPython()) {
            progress.step("the guide's Python");
            Map<String, Object> py = settings.python().run(id(), size / (1024 * 1024));
            report =
                    report.withColumn(
                            2,
                            "Python",
                            List.of(
                                    "-",
                                    Measure.seconds(TinyTasks.num(py, "pickled")),
                                    Measure.seconds(TinyTasks.num(py, "shared"))));
        }
        return report;
    }

    private static List<String> row(String how, Measure.Result<Long> r, long want) {
        return List.of(how, Measure.time(r.median()), r.value() == want ? "ok" : "WRONG");
    }

    /**
     * The verdict on "passing data to a process costs serialization", from the three times.
     *
     * @param thread a thread's seconds (shares the heap)
     * @param serialized a worker JVM's, the data serialized as an argument
     * @param shared a worker JVM's, the data in shared memory
     * @return the verdict
     */
    static Verdict verdict(double thread, double serialized, double shared) {
        String figures =
                "serialized, the data took "
                        + Measure.seconds(serialized)
                        + " to reach a worker JVM; in shared memory "
                        + Measure.seconds(shared)
                        + " ("
                        + Measure.ratio(serialized / shared)
                        + " faster); a thread "
                        + Measure.seconds(thread);
        if (serialized > 1.5 * shared) {
            return Verdict.holds(figures + ": copying costs, shared memory avoids it.");
        }
        return Verdict.differs(figures + ": serializing cost little at this size.");
    }
}
