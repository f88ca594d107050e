package dev.forkwise.cli.lab;

import dev.forkwise.ChildProcess;
import dev.forkwise.Fn;
import dev.forkwise.Pool;
import dev.forkwise.WorkerCrashedException;
import dev.forkwise.cli.Progress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;

/**
 * Isolation: twenty tasks, one of which calls {@code System.exit(1)} (it could as well be a native
 * crash, an OutOfMemoryError or a stray {@code halt}). On threads the whole JVM goes, and every
 * result with it; so the threads run inside a child JVM here, or the lab itself would die. On
 * processes one worker goes, one task fails, and the pool carries on.
 */
final class CrashIsolation implements Experiment {

    private static final int TASKS = 20;
    private static final int BAD = 7;

    @Override
    public String id() {
        return "crash-isolation";
    }

    @Override
    public String title() {
        return "Isolation: " + TASKS + " tasks, task #" + BAD + " calls System.exit(1)";
    }

    /** Squares its input, except that input {@link #BAD} ends the JVM it runs in. */
    static Integer squareOrExit(Integer i) {
        if (i == BAD) {
            System.exit(1);
        }
        return i * i;
    }

    @Override
    public Report run(Settings settings, Progress progress) throws Exception {
        List<Integer> inputs = IntStream.range(0, TASKS).boxed().toList();
        Fn<Integer, Integer> task = CrashIsolation::squareOrExit;
        List<List<String>> rows = new ArrayList<>();

        progress.step("Pool.threads(2), inside a child JVM");
        int threadResults = 0;
        String threadOutcome;
        try (ChildProcess<Integer> child =
                ChildProcess.start(
                        () -> {
                            try (Pool pool = Pool.threads(2)) {
                                List<CompletableFuture<Integer>> fs = new ArrayList<>();
                                for (Integer i : inputs) {
                                    fs.add(pool.submit(() -> squareOrExit(i)));
                                }
                                int done = 0;
                                for (CompletableFuture<Integer> f : fs) {
                                    f.join();
                                    done++;
                                }
                                return done;
                            }
                        })) {
            try {
                threadResults = child.result();
                threadOutcome = "every task finished";
            } catch (WorkerCrashedException e) {
                threadOutcome =
                        "the whole JVM exited (code " + e.exitCode() + "): every result lost";
            }
        }
        rows.add(List.of("Pool.threads(2)", threadResults + " of " + TASKS, threadOutcome));

        progress.step("Pool.processes(2)");
        int ok = 0;
        int crashed = 0;
        String after;
        try (Pool pool = Pool.processes(2)) {
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            for (Integer i : inputs) {
                fs.add(pool.applyAsync(task, i));
            }
            for (CompletableFuture<Integer> f : fs) {
                try {
                    f.get();
                    ok++;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof WorkerCrashedException) {
                        crashed++;
                    }
                }
            }
            after =
                    pool.map((Integer x) -> x + 1, List.of(1, 2, 3)).equals(List.of(2, 3, 4))
                            ? "and took new work"
                            : "but failed new work";
        }
        rows.add(
                List.of(
                        "Pool.processes(2)",
                        ok + " of " + TASKS,
                        crashed + " WorkerCrashedException; the worker was replaced " + after));
        Report report =
                new Report(
                        title(),
                        "the guides: processes are isolated (\"a crash in one process doesn't"
                                + " affect others\"); Python's ProcessPoolExecutor then breaks the"
                                + " whole pool (BrokenProcessPool).",
                        List.of("how", "results", "what happened"),
                        rows,
                        List.of(
                                "On threads one bad task took the JVM and all "
                                        + TASKS
                                        + " results with it.",
                                "On processes it cost exactly its own task: "
                                        + ok
                                        + " results came back, the failure names the worker's pid,"
                                        + " exit code and last stderr lines, and the pool kept"
                                        + " working (Python's pool would be broken)."));
        report =
                report.with(verdict(threadResults, ok, crashed, TASKS, after.startsWith("and")))
                        .with(
                                Chart.bar(
                                        "Results kept when one task of " + TASKS + " exits its JVM",
                                        "results",
                                        List.of("Pool.threads(2)", "Pool.processes(2)"),
                                        List.of(
                                                Chart.Series.bars(
                                                        "Java",
                                                        List.of(
                                                                (double) threadResults,
                                                                (double) ok)))));
        if (settings.withPython()) {
            progress.step("the guide's Python: ProcessPoolExecutor(2)");
            Map<String, Object> py = settings.python().run(id(), TASKS);
            long pyOk = (long) TinyTasks.num(py, "ok");
            long failed = (long) TinyTasks.num(py, "failed");
            boolean newWork = TinyTasks.num(py, "new_work") > 0;
            report =
                    report.withRow(
                            List.of(
                                    "Python ProcessPoolExecutor(2)",
                                    pyOk + " of " + TASKS,
                                    failed
                                            + " failed (BrokenProcessPool); "
                                            + (newWork ? "it took new work" : "new work refused")));
        }
        return report;
    }

    /**
     * The verdict on "a crash in one process doesn't affect the others", from what came back.
     *
     * @param onThreads results that came back on threads
     * @param onProcesses results that came back on worker JVMs
     * @param crashed tasks that failed with WorkerCrashedException there
     * @param tasks the tasks
     * @param tookNewWork whether the worker-JVM pool took new work afterwards
     * @return the verdict
     */
    static Verdict verdict(
            int onThreads, int onProcesses, int crashed, int tasks, boolean tookNewWork) {
        String figures =
                "when one task exited its JVM, threads kept "
                        + onThreads
                        + " of "
                        + tasks
                        + " results and worker JVMs "
                        + onProcesses
                        + " ("
                        + crashed
                        + " crashed)";
        if (onProcesses == tasks - 1 && crashed == 1 && tookNewWork) {
            return Verdict.holds(
                    figures
                            + ", and the pool replaced the worker and took new work, where"
                            + " Python's ProcessPoolExecutor breaks for good (BrokenProcessPool).");
        }
        return Verdict.differs(
                figures + (tookNewWork ? "." : ", and the pool failed new work afterwards."));
    }
}
