package dev.forkwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts the built {@code target/forkwise.jar} as a user would, in its own JVM. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForkwiseJarIT {

    private record Result(int exit, String output) {}

    private static Result forkwise(String... args) throws IOException, InterruptedException {
        Path jar = Path.of("target", "forkwise.jar");
        assertThat(jar).exists();
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("forkwise exits").isTrue();
            return new Result(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void theJarRunsVersionHelpAndLabList() throws Exception {
        Result version = forkwise("version");
        assertThat(version.exit()).isZero();
        assertThat(version.output())
                .startsWith("forkwise ")
                .contains("Java " + Runtime.version().feature());

        Result help = forkwise("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.output()).contains("lab", "version");

        Result list = forkwise("lab", "--list");
        assertThat(list.exit()).isZero();
        assertThat(list.output()).contains("sleeping-squares", "sum-of-squares", "many-sleepers");
    }

    @Test
    void theJarRunsAnExperiment() throws Exception {
        Result lab = forkwise("lab", "--quick", "sum-of-squares");
        assertThat(lab.exit()).as(lab.output()).isZero();
        assertThat(lab.output()).contains("Pool.threads(4)", " ok |").doesNotContain("WRONG");
    }

    @Test
    void theJarRunsTheSharedMemoryExperimentsAcrossWorkerJvms() throws Exception {
        Result lab = forkwise("lab", "--quick", "shared-counter", "queues-and-pipes");
        assertThat(lab.exit()).as(lab.output()).isZero();
        assertThat(lab.output())
                .containsPattern(
                        "SharedLock around get\\(\\) and set\\(\\) +\\| +100,000 \\|.*exact \\|")
                .containsPattern("SharedLong.addAndGet\\(1\\) +\\| +100,000 \\|.*exact \\|")
                .contains("4 of 4", "20,000 of 20,000")
                .doesNotContain("WRONG", "MISSING");
    }

    @Test
    void aBadCommandExitsWithUsageError() throws Exception {
        Result bad = forkwise("no-such-command");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.output()).contains("no-such-command");
        assertThat(Files.exists(Path.of("target", "forkwise.jar"))).isTrue();
    }
}
