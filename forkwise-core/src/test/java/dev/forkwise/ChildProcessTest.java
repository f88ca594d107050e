package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One call in one child JVM, like Python's {@code multiprocessing.Process}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChildProcessTest {

    @AfterEach
    void noChildLeft() {
        Workers.killAll();
    }

    @Test
    void runsTheCallInAnotherJvmAndExitsWithZero() throws Exception {
        long me = ProcessHandle.current().pid();
        try (ChildProcess<Long> child = ChildProcess.start(() -> ProcessHandle.current().pid())) {
            assertThat(child.result()).isEqualTo(child.pid()).isNotEqualTo(me);
            child.join();
            assertThat(child.isAlive()).isFalse();
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    @Test
    void aThrowingCallExitsWithOneAndResultThrowsIt() throws Exception {
        try (ChildProcess<Object> child =
                ChildProcess.start(
                        () -> {
                            throw new IllegalArgumentException("bad input");
                        })) {
            assertThatThrownBy(child::result)
                    .isInstanceOf(TaskFailedException.class)
                    .cause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("bad input");
            assertThat(child.join(Duration.ofSeconds(30))).isTrue();
            assertThat(child.exitCode()).hasValue(1);
        }
    }

    @Test
    void systemExitIsReportedWithItsCode() throws Exception {
        try (ChildProcess<Object> child =
                ChildProcess.start(
                        () -> {
                            System.exit(7);
                            return null;
                        })) {
            assertThatThrownBy(child::result)
                    .isInstanceOfSatisfying(
                            WorkerCrashedException.class,
                            e -> assertThat(e.exitCode()).isEqualTo(7));
            assertThat(child.exitCode()).hasValue(7);
        }
    }

    @TempDir Path tmp;

    @Test
    void terminateAndKill() throws Exception {
        ChildProcess<Object> sleeper =
                ChildProcess.start(
                        () -> {
                            Thread.sleep(60_000);
                            return null;
                        });
        assertThat(sleeper.join(Duration.ofMillis(200))).isFalse();
        assertThat(sleeper.isAlive()).isTrue();
        assertThat(sleeper.exitCode()).isEmpty();
        sleeper.kill();
        assertThat(sleeper.join(Duration.ofSeconds(10))).isTrue();
        assertThat(sleeper.exitCode()).hasValue(137);
        assertThatThrownBy(sleeper::result)
                .isInstanceOfSatisfying(
                        WorkerCrashedException.class,
                        e -> assertThat(e.signal()).contains("SIGKILL"));

        String d = tmp.toString();
        ChildProcess<Object> polite =
                ChildProcess.start(
                        () -> {
                            Markers.touch(d, "running");
                            Thread.sleep(60_000);
                            return null;
                        });
        assertThat(Markers.await(d, "running", Duration.ofSeconds(30))).isTrue();
        polite.terminate();
        assertThat(polite.join(Duration.ofSeconds(10))).isTrue();
        assertThat(polite.exitCode()).hasValue(143);
    }

    @Test
    void aTimeLimitKillsTheChild() throws Exception {
        try (ChildProcess<Object> child =
                ChildProcess.start(
                        () -> {
                            while (true) {
                                Thread.onSpinWait();
                            }
                        },
                        ProcessOptions.builder().taskTimeout(Duration.ofSeconds(1)).build())) {
            assertThatThrownBy(child::result).isInstanceOf(TaskTimeoutException.class);
            assertThat(child.join(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void aNonSerializableCaptureFailsAtStart() throws Exception {
        try (Socket s = new Socket()) {
            assertThatThrownBy(() -> ChildProcess.start(() -> s.isBound()))
                    .isInstanceOfSatisfying(
                            NotTransferableException.class,
                            e ->
                                    assertThat(e.path())
                                            .isEqualTo(
                                                    "captured arg 1 (Socket) → java.net.Socket"));
        }
    }

    @Test
    void aFailingChildPrintsItsExceptionAndStackTraceToTheParentsStderrPrefixedWithItsName()
            throws Exception {
        var captured = new ByteArrayOutputStream();
        var original = System.err;
        System.setErr(new PrintStream(captured, true));
        try {
            ChildProcess<Object> child =
                    ChildProcess.builder()
                            .name("loader")
                            .start(
                                    () -> {
                                        throw new IllegalStateException("no such file: data.csv");
                                    });
            assertThat(child.name()).isEqualTo("loader");
            assertThatThrownBy(child::result).isInstanceOf(TaskFailedException.class);
            assertThat(child.join(Duration.ofSeconds(30))).isTrue();
            String prefix = "[loader pid " + child.pid() + "] ";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!captured.toString().contains(prefix + "\tat ")
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(captured.toString())
                    .contains(prefix + "Exception in the child process's call:")
                    .contains(prefix + "java.lang.IllegalStateException: no such file: data.csv")
                    .contains(prefix + "\tat ");
        } finally {
            System.setErr(original);
        }
    }

    @Test
    void aVoidActionRunsInAChildWithADefaultName() throws Exception {
        String d = tmp.toString();
        try (ChildProcess<Void> child =
                ChildProcess.run(() -> Markers.touch(d, "ran-" + ProcessHandle.current().pid()))) {
            assertThat(child.result()).isNull();
            assertThat(child.join(Duration.ofSeconds(30))).isTrue();
            assertThat(child.exitCode()).hasValue(0);
            assertThat(Markers.exists(d, "ran-" + child.pid())).isTrue();
            assertThat(child.name()).matches("child-\\d+");
            assertThat(child.isDaemon()).isFalse();
        }
    }

    /**
     * A {@code main} that starts a child and returns: the JVM waits for a non-daemon child
     * (Python's default), and kills a daemon one as it exits.
     */
    @Test
    void aNonDaemonChildIsWaitedForWhenMainReturnsAndADaemonChildIsNot() throws Exception {
        Path waited = Files.createDirectories(tmp.resolve("waited"));
        Jvms.Run run =
                Jvms.run(
                        Jvms.command(
                                Jvms.classPath(),
                                List.of("-Dforkwise.aot=off"),
                                "dev.forkwise.launch.ChildOutlivesMain",
                                waited.toString(),
                                "non-daemon"),
                        Duration.ofSeconds(60));
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(Markers.exists(waited.toString(), "child-done"))
                .as("the child finished before its parent JVM exited")
                .isTrue();

        Path killed = Files.createDirectories(tmp.resolve("killed"));
        Jvms.Run daemon =
                Jvms.run(
                        Jvms.command(
                                Jvms.classPath(),
                                List.of("-Dforkwise.aot=off"),
                                "dev.forkwise.launch.ChildOutlivesMain",
                                killed.toString(),
                                "daemon"),
                        Duration.ofSeconds(60));
        assertThat(daemon.exitCode()).as(daemon.output()).isZero();
        Thread.sleep(3_000); // longer than the child's 1.5 s of work
        assertThat(Markers.exists(killed.toString(), "child-done"))
                .as("a daemon child dies with its parent")
                .isFalse();
    }

    @Test
    void aChildThatNeverStartsIsKilledAtTheStartTimeout() {
        ProcessOptions options =
                ProcessOptions.builder()
                        .initializer(
                                () -> {
                                    Thread.sleep(600_000);
                                    return null;
                                })
                        .startTimeout(Duration.ofSeconds(1))
                        .build();
        try (ChildProcess<String> child = ChildProcess.start(() -> "never", options)) {
            assertThatThrownBy(child::result)
                    .isInstanceOfSatisfying(
                            WorkerCrashedException.class,
                            e -> assertThat(e.getMessage()).contains("never started"));
        }
    }
}
