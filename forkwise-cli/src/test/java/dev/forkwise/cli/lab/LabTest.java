package dev.forkwise.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.jr.ob.JSON;

import dev.forkwise.cli.Progress;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/** The lab's experiments, at sizes small enough for a unit test. */
class LabTest {

    private static final Settings QUICK = new Settings(true);
    private final Progress progress = Progress.silent();

    static Stream<Long> sizes() {
        Random rnd = new Random(2002);
        // Around the point where the sum passes Long.MAX_VALUE (n ≈ 3.04 million) and either side.
        return Stream.concat(
                LongStream.of(0, 1, 2, 3_037_000, 3_040_000, 3_050_000).boxed(),
                rnd.longs(6, 0, 8_000_000).boxed());
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void sumOfSquaresIsExactLikePythonsIntegers(long n) {
        BigInteger slow = BigInteger.ZERO;
        if (n <= 3_100_000) {
            for (long i = 0; i < n; i++) {
                slow = slow.add(BigInteger.valueOf(i).multiply(BigInteger.valueOf(i)));
            }
            assertThat(SumOfSquares.expected(n)).isEqualTo(slow);
        }
        assertThat(SumOfSquares.sumOfSquares(n)).isEqualTo(SumOfSquares.expected(n));
    }

    @Test
    void sleepingSquaresMeasuresEveryVariantAndChecksResults() throws Exception {
        Report r = new SleepingSquares(Duration.ofMillis(20)).run(new Settings(false), progress);
        assertThat(r.rows())
                .extracting(row -> row.get(0))
                .containsExactly(
                        "sequential loop",
                        "Pool.threads(4)",
                        "Pool.virtualThreads()",
                        "Pool.threads(2)");
        assertThat(r.rows()).allSatisfy(row -> assertThat(row.getLast()).isEqualTo("ok"));
        assertThat(r.claim()).contains("about 4 seconds");
        assertThat(r.findings()).hasSize(1);
        assertThat(r.verdict()).isNotNull();
        assertThat(r.charts()).singleElement().satisfies(c -> assertThat(c.series()).hasSize(1));
    }

    @Test
    void sumOfSquaresMeasuresEveryVariantAndChecksResults() throws Exception {
        Report r = new SumOfSquares(200_000, 4).run(QUICK, progress);
        assertThat(r.rows())
                .extracting(row -> row.get(0))
                .contains(
                        "sequential loop",
                        "Pool.threads(4)",
                        "Pool.virtualThreads()",
                        "Pool.processes(4), warm");
        assertThat(r.rows()).allSatisfy(row -> assertThat(row.getLast()).isEqualTo("ok"));
        assertThat(r.verdict().sentence())
                .contains(Runtime.getRuntime().availableProcessors() + " cores");
        assertThat(r.findings().getFirst()).contains("Worker JVMs").contains("first results");
    }

    /** The worker-JVM sentence is computed from the row beside it, not printed as fixed text. */
    @Test
    void theWorkerJvmFindingFollowsTheNumbers() {
        Duration start = Duration.ofMillis(450);
        assertThat(SumOfSquares.workerJvmsFinding(1.9, 1.8, 2, start))
                .contains("computed 1.80× as fast", "close to threads' 1.90×", "450");
        assertThat(SumOfSquares.workerJvmsFinding(1.01, 0.5, 2, start))
                .contains("computed 0.50× as fast", "slower than threads' 1.01×")
                .doesNotContain("close to");
        assertThat(SumOfSquares.workerJvmsFinding(1.0, 1.6, 2, start))
                .contains("faster than threads' 1.00×")
                .doesNotContain("close to");
    }

    @Test
    void globalLockRunsTheLockedTaskOnThreadsAndProcesses() throws Exception {
        Report r = new GlobalLock(200_000, 4).run(QUICK, progress);
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(r.rows())
                .extracting(row -> row.get(0))
                .containsExactly(
                        "sequential loop",
                        "Pool.threads(" + cores + ")",
                        "Pool.processes(" + cores + "), warm");
        assertThat(r.rows()).allSatisfy(row -> assertThat(row.getLast()).isEqualTo("ok"));
        assertThat(r.findings()).hasSize(1);
        assertThat(r.verdict()).isNotNull();
    }

    @Test
    void crashIsolationLosesEverythingOnThreadsAndOneTaskOnProcesses() throws Exception {
        Report r = new CrashIsolation().run(QUICK, progress);
        assertThat(r.rows()).hasSize(2);
        assertThat(r.rows().get(0))
                .containsExactly(
                        "Pool.threads(2)",
                        "0 of 20",
                        "the whole JVM exited (code 1): every result lost");
        assertThat(r.rows().get(1).subList(0, 2)).containsExactly("Pool.processes(2)", "19 of 20");
        assertThat(r.rows().get(1).get(2))
                .startsWith("1 WorkerCrashedException")
                .endsWith("and took new work");
    }

    @Test
    void memoryPerWorkerMeasuresAllFour() throws Exception {
        Report r = new MemoryPerWorker().run(QUICK, progress);
        assertThat(r.rows())
                .extracting(row -> row.get(0))
                .containsExactly(
                        "bare JVM (empty main, idle)",
                        "idle forkwise worker JVM",
                        "parked platform thread",
                        "parked virtual thread");
        assertThat(r.rows().get(0).get(1)).matches("\\d+\\.\\d MiB");
        assertThat(r.rows().get(1).get(1)).matches("\\d+\\.\\d MiB");
        assertThat(MemoryPerWorker.bareJvm()).isGreaterThan(10L << 20);
    }

    @Test
    void manySleepersCompletesEveryTask() throws Exception {
        Report r = new ManySleepers(2_000, 200, 50, Duration.ofMillis(10)).run(QUICK, progress);
        assertThat(r.rows()).hasSize(3);
        assertThat(r.rows()).extracting(row -> row.get(1)).containsExactly("2,000", "200", "200");
        assertThat(r.rows()).allSatisfy(row -> assertThat(row.getLast()).isEqualTo("ok"));
    }

    @Test
    void theLabPrintsATableAndFindingsPerExperiment() {
        StringWriter out = new StringWriter();
        CommandLine cl =
                new CommandLine(
                        new LabCommand(List.of(new SleepingSquares(Duration.ofMillis(100)))));
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("--quick")).isZero();
        assertThat(out.toString())
                .contains(
                        "[1/1] Square four numbers",
                        "Claim: the Beginner's Guide:",
                        "| how",
                        "Pool.threads(4)",
                        "⇒ Does not hold even in Python: four threads took",
                        "→ Virtual threads give",
                        "(sleeping-squares took");
    }

    @Test
    void tinyTasksMeasuresTheLoopThePoolsAndTheCurve() throws Exception {
        Report r = new TinyTasks(20_000).run(QUICK, progress);
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(r.rows())
                .extracting(row -> row.get(0))
                .containsExactly(
                        "sequential loop",
                        "Pool.threads(" + cores + "), chunk 1",
                        "Pool.threads(" + cores + "), auto chunks",
                        "Pool.processes(" + cores + "), chunk 1",
                        "Pool.processes(" + cores + "), auto chunks");
        assertThat(r.charts()).singleElement().satisfies(c -> assertThat(c.series()).hasSize(2));
        assertThat(r.verdict()).isNotNull();
    }

    @Test
    void poolSizesSweepTheSizesUpToFourPerCoreAndTheTasks() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        Report computing = PoolSizes.computing().run(QUICK, progress);
        assertThat(computing.rows())
                .extracting(row -> row.get(0))
                .containsExactlyElementsOf(
                        PoolSizes.sizes(cores, 4 * cores).stream().map(String::valueOf).toList());
        assertThat(computing.charts().getFirst().series()).hasSize(3);
        Report waiting = PoolSizes.waiting().run(QUICK, progress);
        assertThat(waiting.rows().getLast().get(0)).isEqualTo("virtual, one per task");
        assertThat(waiting.verdict()).isNotNull();
        assertThat(PoolSizes.sizes(2, 64)).containsExactly(1, 2, 4, 8, 16, 32, 64);
        assertThat(PoolSizes.sizes(6, 24)).containsExactly(1, 2, 4, 6, 8, 16);
    }

    @Test
    void largeDataReachesTheWorkerAllThreeWays() throws Exception {
        Report r = new LargeData(4).run(QUICK, progress);
        assertThat(r.rows()).hasSize(3);
        assertThat(r.rows()).allSatisfy(row -> assertThat(row.getLast()).isEqualTo("ok"));
    }

    @Test
    void withPythonShowsTheGuidesOwnCodeBesideTheJava() {
        PythonSide py = PythonSide.find("python3");
        Assumptions.assumeTrue(py.available(), "python3 is not installed here: " + py.why());
        StringWriter out = new StringWriter();
        CommandLine cl =
                new CommandLine(
                        new LabCommand(
                                List.of(
                                        new SleepingSquares(Duration.ofMillis(100)),
                                        new CrashIsolation())));
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("--quick", "--with-python")).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("Python beside Java: Python 3.")
                .containsPattern("\\|\\s+Python \\|")
                // the guide's process pool breaks for good where forkwise's replaces its worker
                .contains("Python ProcessPoolExecutor(2)", "(BrokenProcessPool)");
    }

    @Test
    void jsonCarriesEveryRowVerdictAndChart(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("lab.json");
        StringWriter out = new StringWriter();
        CommandLine cl =
                new CommandLine(
                        new LabCommand(List.of(new SleepingSquares(Duration.ofMillis(50)))));
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("--quick", "--json", json.toString())).isZero();
        Map<String, Object> root = JSON.std.mapFrom(Files.readString(json));
        assertThat(root).containsKeys("forkwise", "machine", "started", "quick");
        List<?> experiments = (List<?>) root.get("experiments");
        assertThat(experiments).hasSize(1);
        Map<?, ?> e = (Map<?, ?>) experiments.getFirst();
        assertThat(e.get("id")).isEqualTo("sleeping-squares");
        assertThat((List<?>) e.get("rows")).hasSize(3);
        assertThat(((Map<?, ?>) e.get("verdict")).get("outcome")).isEqualTo("NOT_EVEN_IN_PYTHON");
        Map<?, ?> chart = (Map<?, ?>) ((List<?>) e.get("charts")).getFirst();
        assertThat(chart.get("type")).isEqualTo("BAR");
        assertThat((List<?>) chart.get("categories")).hasSize(3);
        assertThat(out.toString()).contains("JSON: " + json.toAbsolutePath());
    }

    @Test
    void tablesFitOneHundredColumnsUnlessWide() {
        Report r =
                new Report(
                                "t",
                                "c",
                                List.of("how", "a long explanation", "time", "dropped"),
                                List.of(
                                        List.of(
                                                "a row whose first cell is rather long, forty",
                                                "x".repeat(30)
                                                        + " and then some more words to wrap",
                                                "1.00 s",
                                                "y".repeat(30))),
                                List.of())
                        .dropping("dropped");
        String narrow = r.table(100);
        assertThat(narrow.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
        assertThat(narrow)
                .doesNotContain("yyyy")
                .contains("dropped is left out to fit 100 columns");
        assertThat(narrow).contains("more words");
        String wide = r.table();
        assertThat(wide).contains("y".repeat(30)).doesNotContain("left out");
        assertThat(wide.lines().mapToInt(String::length).max().orElseThrow()).isGreaterThan(100);
        assertThat(r.table(60).lines())
                .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(60));
    }

    @Test
    void wrapBreaksAtSpacesWithinTheWidth() {
        String w = Report.wrap("one two three four five six seven", 12, "  → ", "    ");
        assertThat(w).isEqualTo("  → one two\n    three\n    four\n    five six\n    seven");
    }

    @Test
    void withPythonSaysPlainlyWhenThereIsNone() {
        StringWriter out = new StringWriter();
        CommandLine cl =
                new CommandLine(
                        new LabCommand(List.of(new SleepingSquares(Duration.ofMillis(100)))));
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("--quick", "--with-python", "--python", "/nonexistent/python3"))
                .isZero();
        assertThat(out.toString())
                .contains(
                        "No Python columns: '/nonexistent/python3' could not be run",
                        "install python3")
                .doesNotContainPattern("\\|\\s+Python \\|");
    }

    @Test
    void aReportRejectsRowsOfTheWrongWidth() {
        assertThatThrownBy(
                        () ->
                                new Report(
                                        "t",
                                        "c",
                                        List.of("a", "b"),
                                        List.of(List.of("1")),
                                        List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 cells for 2 columns");
    }

    @Test
    void formatsTimesRatiosAndCounts() {
        assertThat(Measure.time(Duration.ofMillis(1500))).isEqualTo("1.50 s");
        assertThat(Measure.time(Duration.ofMillis(12))).isEqualTo("12.0 ms");
        assertThat(Measure.time(Duration.ofNanos(2500))).isEqualTo("2.5 µs");
        assertThat(Measure.ratio(3.966)).isEqualTo("3.97×");
        assertThat(Measure.count(100_000)).isEqualTo("100,000");
    }
}
