package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
        try (ChildProcess<Object> child = ChildProcess.start(() -> {
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
        try (ChildProcess<Object> child = ChildProcess.start(() -> {
            System.exit(7);
            return null;
        })) {
            assertThatThrownBy(child::result)
                    .isInstanceOfSatisfying(WorkerCrashedException.class, e -> assertThat(e.exitCode()).isEqualTo(7));
            assertThat(child.exitCode()).hasValue(7);
        }
    }

    @TempDir java.nio.file.Path tmp;

    @Test
    void terminateAndKill() throws Exception {
        ChildProcess<Object> sleeper = ChildProcess.start(() -> {
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
                .isInstanceOfSatisfying(WorkerCrashedException.class, e -> assertThat(e.signal()).contains("SIGKILL"));

        String d = tmp.toString();
        ChildProcess<Object> polite = ChildProcess.start(() -> {
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
        try (ChildProcess<Object> child = ChildProcess.start(() -> {
            while (true) {
                Thread.onSpinWait();
            }
        }, ProcessOptions.builder().taskTimeout(Duration.ofSeconds(1)).build())) {
            assertThatThrownBy(child::result).isInstanceOf(TaskTimeoutException.class);
            assertThat(child.join(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void aNonSerializableCaptureFailsAtStart() throws Exception {
        try (Socket s = new Socket()) {
            assertThatThrownBy(() -> ChildProcess.start(() -> s.isBound()))
                    .isInstanceOfSatisfying(NotTransferableException.class,
                            e -> assertThat(e.path()).isEqualTo("captured arg 1 (Socket) → java.net.Socket"));
        }
    }
}
