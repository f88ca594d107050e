package dev.forkwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forkwise.Pool;
import dev.forkwise.cluster.Cluster;
import dev.forkwise.cluster.ClusterOptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code forkwise member} starts a real member JVM that a program then connects to and runs tasks
 * on; the test kills the member it started, by its process id.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MemberCommandTest {

    static long where(int x) {
        return ProcessHandle.current().pid();
    }

    @Test
    void aMemberStartedByTheCommandRunsTheTasksOfAProgramThatConnects() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String name = "member-test-" + System.nanoTime();
        MemberCommand command = new MemberCommand();
        new CommandLine(command)
                .parseArgs(
                        "--cluster", name, "--port", String.valueOf(port), "--bind", "127.0.0.1");
        List<String> cmd = command.command();
        assertThat(cmd).contains("--sun-misc-unsafe-memory-access=allow", "--cluster", name);
        Process member = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            CompletableFuture<String> ready = new CompletableFuture<>();
            Thread.ofPlatform()
                    .daemon()
                    .start(
                            () -> {
                                try (BufferedReader r =
                                        new BufferedReader(
                                                new InputStreamReader(
                                                        member.getInputStream(),
                                                        StandardCharsets.UTF_8))) {
                                    for (String l; (l = r.readLine()) != null; ) {
                                        if (l.startsWith("forkwise-member ready ")) {
                                            ready.complete(l);
                                        }
                                    }
                                } catch (Exception e) {
                                    ready.completeExceptionally(e);
                                }
                                ready.completeExceptionally(
                                        new AssertionError("the member ended before it was ready"));
                            });
            assertThat(ready.get(120, TimeUnit.SECONDS)).endsWith(":" + port);
            try (Cluster cluster = Cluster.connect(ClusterOptions.of(name, "127.0.0.1:" + port));
                    Pool pool = cluster.pool()) {
                assertThat(cluster.members())
                        .singleElement()
                        .satisfies(m -> assertThat(m.pid()).isEqualTo(member.pid()));
                assertThat(pool.map(MemberCommandTest::where, List.of(1, 2, 3)))
                        .containsOnly(member.pid());
            }
        } finally {
            member.destroyForcibly();
            member.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
