package dev.forkwise.cli.lab;

import dev.forkwise.Pool;
import dev.forkwise.cli.Progress;
import dev.forkwise.ipc.SharedBarrier;
import dev.forkwise.ipc.SharedLock;
import dev.forkwise.ipc.SharedLong;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The GIL guide's's shared counter: {@code counter.value += 1} from five processes. A plain read
 * and write from several processes loses updates, as it does between threads; a {@link SharedLock}
 * around it, or the atomic {@link SharedLong#addAndGet}, makes it exact, and the atomic add is much
 * cheaper than the lock.
 */
final class SharedCounter implements Experiment {

    private static final int PROCESSES = 5;

    private final int increments;

    SharedCounter(int increments) {
        this.increments = increments;
    }

    @Override
    public String id() {
        return "shared-counter";
    }

    @Override
    public String title() {
        return "Shared counter: counter += 1, "
                + Measure.count(increments)
                + " times in each of "
                + PROCESSES
                + " worker JVMs";
    }

    /** How one process increments the counter. */
    private enum Way {
        PLAIN("plain get() then set(), no lock"),
        LOCKED("SharedLock around get() and set()"),
        ATOMIC("SharedLong.addAndGet(1)");

        final String label;

        Way(String label) {
            this.label = label;
        }
    }

    @Override
    public Report run(Settings settings, Progress progress) throws Exception {
        int n = settings.quick() ? increments / 10 : increments;
        long expected = (long) n * PROCESSES;
        List<List<String>> rows = new ArrayList<>();
        long lostPlain = 0;
        long lostSafely = 0;
        List<Double> lostShares = new ArrayList<>();
        double lockedSeconds = 0;
        double atomicSeconds = 0;
        try (Pool pool = Pool.processes(PROCESSES);
                SharedLong counter = SharedLong.create(0);
                SharedLock lock = SharedLock.create();
                SharedBarrier start = SharedBarrier.create(PROCESSES)) {
            progress.step("starting " + PROCESSES + " worker JVMs");
            pool.map(i -> i, Collections.nCopies(PROCESSES, 0), 1);
            for (Way way : Way.values()) {
                progress.step(way.label);
                counter.set(0);
                long began = System.nanoTime();
                pool.map(
                        i -> {
                            start.await(
                                    Duration.ofSeconds(
                                            60)); // all five at once, or there is no race
                            for (int k = 0; k < n; k++) {
                                switch (way) {
                                    case PLAIN -> counter.set(counter.get() + 1);
                                    case LOCKED -> {
                                        lock.lock();
                                        try {
                                            counter.set(counter.get() + 1);
                                        } finally {
                                            lock.unlock();
                                        }
                                    }
                                    case ATOMIC -> counter.addAndGet(1);
                                }
                            }
                            return null;
                        },
                        Collections.nCopies(PROCESSES, 0),
                        1);
                double seconds = (System.nanoTime() - began) / 1e9;
                long got = counter.get();
                long lost = expected - got;
                lostShares.add(100.0 * lost / expected);
                if (way != Way.PLAIN) {
                    lostSafely += lost;
                }
                if (way == Way.PLAIN) {
                    lostPlain = lost;
                } else if (way == Way.LOCKED) {
                    lockedSeconds = seconds;
                } else {
                    atomicSeconds = seconds;
                }
                rows.add(
                        List.of(
                                way.label,
                                Measure.count(got),
                                Measure.count(expected),
                                Measure.count(lost),
                                Measure.time(Duration.ofNanos((long) (seconds * 1e9))),
                                lost == 0 ? "exact" : "LOST UPDATES"));
            }
        }
        List<String> findings = new ArrayList<>();
        findings.add(
                lostPlain > 0
                        ? "Without a lock, "
                                + Measure.count(lostPlain)
                                + " of "
                                + Measure.count(expected)
                                + " increments were lost: two processes read the same value and"
                                + " both wrote it plus one. Shared memory between processes races"
                                + " exactly as shared fields between threads do."
                        : "Without a lock no increment was lost this time, but nothing prevents it:"
                                + " the read and the write are two steps, and another process can"
                                + " come between them.");
        findings.add(
                "With SharedLock, and with SharedLong.addAndGet, the count is exact. The atomic add"
                        + " took "
                        + Measure.ratio(lockedSeconds / Math.max(atomicSeconds, 1e-9))
                        + " less time than the lock: one hardware instruction on shared memory,"
                        + " instead of taking and releasing a lock around two.");
        Report report =
                new Report(
                        title(),
                        "the GIL guide: `counter.value += 1` in processes sharing a Value;"
                                + " \"correct with lock, random without\".",
                        List.of("how", "final count", "expected", "lost", "time", "result"),
                        rows,
                        findings);
        report =
                report.with(verdict(lostPlain, lostSafely, expected))
                        .with(
                                Chart.bar(
                                        "Increments lost by " + PROCESSES + " worker JVMs",
                                        "% lost",
                                        rows.stream().map(r -> r.get(0)).toList(),
                                        List.of(Chart.Series.bars("Java", lostShares))));
        if (settings.withPython()) {
            progress.step("the guide's Python");
            Map<String, Object> py = settings.python().run(id(), n, PROCESSES);
            report =
                    report.withColumn(
                            4,
                            "Python lost",
                            List.of(
                                    Measure.count((long) TinyTasks.num(py, "plain_lost")),
                                    Measure.count((long) TinyTasks.num(py, "locked_lost")),
                                    "-"));
        }
        return report;
    }

    /**
     * The verdict on "random without a lock, correct with one", from the increments lost.
     *
     * @param lostPlain lost without a lock
     * @param lostSafely lost with the lock and with the atomic add, together
     * @param expected the increments made each way
     * @return the verdict
     */
    static Verdict verdict(long lostPlain, long lostSafely, long expected) {
        if (lostSafely > 0) {
            return Verdict.differs(
                    Measure.count(lostSafely)
                            + " increments were lost even with a lock or an atomic add: a fault in"
                            + " this machine's shared memory or in forkwise.");
        }
        if (lostPlain == 0) {
            return Verdict.holds(
                    "with a lock and with an atomic add the count was exact; without one no"
                            + " increment happened to be lost this time, though nothing prevents"
                            + " it.");
        }
        return Verdict.holds(
                "without a lock "
                        + Measure.count(lostPlain)
                        + " of "
                        + Measure.count(expected)
                        + " increments ("
                        + String.format(Locale.ROOT, "%.0f%%", 100.0 * lostPlain / expected)
                        + ") were lost; with SharedLock and with SharedLong.addAndGet, none.");
    }
}
