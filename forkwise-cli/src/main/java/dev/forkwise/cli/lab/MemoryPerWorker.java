package dev.forkwise.cli.lab;

import dev.forkwise.Pool;
import dev.forkwise.cli.Progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * What one more worker costs in memory: an idle worker JVM, a bare JVM (for comparison), a parked
 * platform thread and a parked virtual thread. Resident memory (RSS) from {@code /proc}.
 */
public final class MemoryPerWorker implements Experiment {

    @Override
    public String id() {
        return "memory";
    }

    @Override
    public String title() {
        return "Memory per worker: a worker JVM, a bare JVM, a platform thread, a virtual thread";
    }

    @Override
    public Report run(Settings settings, Progress progress) throws Exception {
        if (!Files.exists(Path.of("/proc/self/status"))) {
            return new Report(
                    title(),
                    "-",
                    List.of("what", "resident memory"),
                    List.of(),
                    List.of(
                            "Resident memory is read from /proc, which this system does not"
                                    + " have."));
        }
        progress.step("a bare JVM");
        long bare = bareJvm();
        progress.step("idle worker JVMs");
        long worker;
        try (Pool pool = Pool.processes(2)) {
            List<Long> pids =
                    pool.map(
                            (Integer i) -> {
                                Thread.sleep(200);
                                return ProcessHandle.current().pid();
                            },
                            List.of(1, 2),
                            1);
            Thread.sleep(500);
            worker = pids.stream().mapToLong(Rss::of).sum() / pids.size();
        }
        progress.step("parked threads");
        long platform = perThread(1_000, false);
        long virtual = perThread(10_000, true);
        List<List<String>> rows =
                List.of(
                        List.of("bare JVM (empty main, idle)", Rss.mib(bare), "1.00×"),
                        List.of("idle forkwise worker JVM", Rss.mib(worker), ratio(worker, bare)),
                        List.of("parked platform thread", Rss.kib(platform), "-"),
                        List.of("parked virtual thread", Rss.kib(virtual), "-"));
        Report report =
                new Report(
                        title(),
                        "the guides: threads are lightweight, processes are heavy (\"each process"
                                + " has its own memory space\"), so use processes sparingly.",
                        List.of("what", "resident memory", "vs bare JVM"),
                        rows,
                        List.of(
                                "An idle worker costs "
                                        + Rss.mib(worker)
                                        + ", "
                                        + ratio(worker, bare)
                                        + " a bare JVM (its channel, serialization and the classes"
                                        + " of the tasks it ran).",
                                "A parked platform thread costs about "
                                        + Rss.kib(platform)
                                        + " and a virtual"
                                        + " thread about "
                                        + Rss.kib(virtual)
                                        + ": a worker JVM is worth hundreds of threads, so use"
                                        + " processes for isolation or a JVM-wide lock, not by"
                                        + " default."));
        return report.with(verdict(worker, platform))
                .with(
                        Chart.bar(
                                "Resident memory per worker",
                                "KiB",
                                List.of(
                                        "bare JVM",
                                        "worker JVM",
                                        "platform thread",
                                        "virtual thread"),
                                List.of(
                                        Chart.Series.bars(
                                                "Java",
                                                List.of(
                                                        bare / 1024.0,
                                                        worker / 1024.0,
                                                        platform / 1024.0,
                                                        virtual / 1024.0)))));
    }

    /**
     * The verdict on "processes are heavy, threads light", from the bytes measured.
     *
     * @param worker an idle worker JVM's resident bytes
     * @param platform a parked platform thread's
     * @return the verdict
     */
    static Verdict verdict(long worker, long platform) {
        long threads = worker / Math.max(1, platform);
        String figures =
                "an idle worker JVM takes "
                        + Rss.mib(worker)
                        + " and a parked platform thread "
                        + Rss.kib(platform);
        if (threads >= 50) {
            return Verdict.holds(
                    figures
                            + ": one process costs as much memory as "
                            + Measure.count(threads)
                            + " threads.");
        }
        return Verdict.differs(figures + ": a process cost no more than a few dozen threads.");
    }

    private static String ratio(long a, long b) {
        return String.format(Locale.ROOT, "%.2f×", (double) a / b);
    }

    /** RSS of a JVM that runs an empty main and then waits, with the same java and class path. */
    public static long bareJvm() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p =
                new ProcessBuilder(
                                java,
                                "-cp",
                                System.getProperty("java.class.path"),
                                Idle.class.getName())
                        .redirectErrorStream(true)
                        .start();
        try {
            p.getInputStream().read(); // it says it is up
            Thread.sleep(500);
            return Rss.of(p.pid());
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    /** RSS added by {@code count} parked threads, per thread. */
    private static long perThread(int count, boolean virtual) throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch parked = new CountDownLatch(count);
        long before = Rss.of(ProcessHandle.current().pid());
        List<Thread> threads = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Runnable r =
                    () -> {
                        parked.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    };
            threads.add(
                    virtual ? Thread.ofVirtual().start(r) : Thread.ofPlatform().daemon().start(r));
        }
        parked.await();
        Thread.sleep(200);
        long after = Rss.of(ProcessHandle.current().pid());
        release.countDown();
        for (Thread t : threads) {
            t.join();
        }
        return Math.max(0, after - before) / count;
    }
}
