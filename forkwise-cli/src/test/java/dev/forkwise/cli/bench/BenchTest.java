package dev.forkwise.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.jr.ob.JSON;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchTest {

    @TempDir Path tmp;

    private record Run(int exit, String out, String err) {}

    private static Run bench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void parsesThePythonScriptsLine() {
        Sample s =
                PythonScript.parse(
                        "workload=submit-noop\timpl=ThreadPoolExecutor\tvalue=25.5\tunit=us/op"
                                + "\tp50=20.0\tp99=70.25");
        assertThat(s.impl()).isEqualTo("ThreadPoolExecutor");
        assertThat(s.get("value")).isEqualTo(25.5);
        assertThat(s.get("p99")).isEqualTo(70.25);
        assertThatThrownBy(() -> s.get("p90")).hasMessageContaining("did not report p90");
        assertThatThrownBy(() -> PythonScript.parse("Traceback (most recent call last):"))
                .hasMessageContaining("unexpected output");
    }

    @Test
    void aRowsVerdictFollowsTheMetricsDirection() {
        var faster =
                new BenchCommand.Row(
                        "w",
                        "t",
                        "ms",
                        false,
                        "f",
                        "p",
                        List.of(10.0, 12.0, 11.0),
                        List.of(40.0, 44.0, 42.0));
        assertThat(faster.forkwiseMedian()).isEqualTo(11.0);
        assertThat(faster.pythonMedian()).isEqualTo(42.0);
        assertThat(faster.verdict()).isEqualTo("3.82× faster");
        var slower =
                new BenchCommand.Row("w", "t", "ms", false, "f", "p", List.of(20.0), List.of(10.0));
        assertThat(slower.verdict()).isEqualTo("2.00× slower");
        var higher =
                new BenchCommand.Row(
                        "w", "t", "%", true, "f", "p", List.of(90.0, 100.0), List.of(45.0, 50.0));
        assertThat(higher.verdict()).isEqualTo("2.00× higher");
        assertThat(higher.ratio()).isEqualTo(2.0);
    }

    @Test
    void runsInterleavedAndWritesJsonAndMarkdown() throws Exception {
        Path json = tmp.resolve("r.json");
        Path md = tmp.resolve("r.md");
        Run r =
                bench(
                        "--only",
                        "first-result,start",
                        "--rounds",
                        "2",
                        "--json",
                        json.toString(),
                        "--markdown",
                        md.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains(
                        "round 1/2: new pool → first result",
                        "round 2/2: baseline: interpreter start");
        Map<String, Object> doc = JSON.std.mapFrom(Files.readString(json));
        assertThat(doc).containsEntry("rounds", 2);
        List<Map<String, Object>> rows = rows(doc);
        assertThat(rows).extracting(w -> w.get("workload")).contains("first-result", "start");
        assertThat(rows)
                .extracting(w -> w.get("forkwise"))
                .contains("Pool.threads(" + JavaWorkloads.CORES + ")");
        assertThat(rows).allSatisfy(w -> assertThat((List<?>) w.get("forkwiseSamples")).hasSize(2));
        assertThat(Files.readString(md))
                .contains("| new pool → first result |", "2 interleaved rounds");
        if (PythonScript.version("python3").isPresent()) {
            assertThat(rows)
                    .extracting(w -> w.get("python"))
                    .contains("multiprocessing.Pool", "python3 -c pass");
            assertThat(r.out()).contains("faster").doesNotContain("no Python");
        }
    }

    @Test
    void withoutPythonItSaysSoAndMeasuresForkwiseAlone() throws Exception {
        Path json = tmp.resolve("alone.json");
        Run r =
                bench(
                        "--python",
                        tmp.resolve("no-such-python").toString(),
                        "--only",
                        "first-result",
                        "--rounds",
                        "1",
                        "--json",
                        json.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("cannot be run, so only forkwise's side is measured", "no Python");
        assertThat(rows(JSON.std.mapFrom(Files.readString(json))))
                .isNotEmpty()
                .allSatisfy(w -> assertThat(w).containsEntry("pythonMedian", null));
    }

    @Test
    void anUnknownWorkloadIsAnErrorThatListsTheRealOnes() {
        Run r =
                bench(
                        "--only",
                        "nope",
                        "--rounds",
                        "1",
                        "--json",
                        tmp.resolve("x.json").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no workload 'nope'", "submit-noop", "waits-100k");
    }

    @Test
    void eachJavaWorkloadChecksItsOwnResults() throws Exception {
        assertThat(JavaWorkloads.map(10_000).get("value")).isPositive();
        assertThat(JavaWorkloads.waits(100).get("value")).isGreaterThanOrEqualTo(100.0);
        assertThat(JavaWorkloads.submitNoop(50).metrics()).containsKeys("value", "p50", "p99");
        assertThat(JavaWorkloads.cpuEfficiency(100_000, true).impl()).contains("global lock");
        assertThat(JavaWorkloads.memcpy(1).get("value")).isPositive();
        assertThat(JavaWorkloads.parallelStream(10_000).get("value")).isPositive();
        assertThat(JavaWorkloads.waitsJdk(100).get("value")).isGreaterThanOrEqualTo(100.0);
    }

    @Test
    void thePipelinedRowRunsOnWorkerJvmsAndInPythonsPools() throws Exception {
        Sample s = JavaWorkloads.submitPipelinedProcesses(200);
        assertThat(s.impl()).contains("Pool.processes(" + JavaWorkloads.CORES + ")");
        assertThat(s.get("value")).isPositive();
        var found = PythonScript.find("python3");
        if (found.isPresent()) {
            PythonScript py = found.get();
            for (String side : List.of("submit-ppe-pipelined", "submit-mp-pipelined")) {
                Sample p = py.side(side, 200).measure();
                assertThat(p.get("value")).as(side).isPositive();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Map<String, Object> doc) {
        return (List<Map<String, Object>>) doc.get("rows");
    }
}
