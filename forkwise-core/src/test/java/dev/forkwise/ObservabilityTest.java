package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A pool in production can be watched: {@link Pool#stats()} and the same figures over JMX on every
 * backend, a JFR {@code dev.forkwise.Task} span for every task with how it ended, worker events
 * with a reason, and log records for crashes.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ObservabilityTest {

    @TempDir Path tmp;

    @RegisterExtension final OpenPools open = new OpenPools();

    static Stream<Arguments> backends() {
        return Stream.of(
                Arguments.of(Named.of("threads", (IntFunction<Pool>) Pool::threads)),
                Arguments.of(Named.of("virtualThreads", (IntFunction<Pool>) Pool::virtualThreads)),
                Arguments.of(Named.of("auto", (IntFunction<Pool>) n -> Pool.auto(n))),
                Arguments.of(Named.of("processes", (IntFunction<Pool>) Pool::processes)));
    }

    static Integer gated(String dir, int i) throws Exception {
        Markers.touch(dir, "in-" + i);
        Markers.waitFor(dir, "go-" + i);
        if (i == 99) {
            throw new IllegalStateException("task 99 fails");
        }
        return i;
    }

    /** The pool's stats once {@code ended} tasks have ended (within 10 s). */
    private static Pool.Stats settled(Pool pool, long ended) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Pool.Stats s = pool.stats();
            long done = s.completed() + s.failed() + s.cancelled() + s.crashed() + s.timedOut();
            if (done >= ended || System.nanoTime() > deadline) {
                return s;
            }
            Thread.sleep(5);
        }
    }

    private static ObjectName beanName(Pool pool) throws Exception {
        return new ObjectName("dev.forkwise:type=Pool,name=" + pool.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void statsJmxAndJfrCountTasksByStateAndOutcome(IntFunction<Pool> factory) throws Exception {
        Recording recording = new Recording();
        recording.enable("dev.forkwise.Task");
        recording.start();
        Pool pool = open.add(factory.apply(1));
        String d = tmp.toString();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        assertThat(server.isRegistered(beanName(pool))).as("registered while open").isTrue();

        CompletableFuture<Integer> running = pool.submit(() -> gated(d, 0));
        assertThat(Markers.await(d, "in-0", Duration.ofSeconds(60))).isTrue();
        CompletableFuture<Integer> second = pool.submit(() -> gated(d, 1));
        Pool.Stats during = pool.stats();
        assertThat(during.submitted()).isEqualTo(2);
        assertThat(during.running() + during.queued()).isEqualTo(2);
        assertThat(during.running())
                .isBetween(1L, 2L); // one at a time, unless every task gets a thread

        Markers.touch(d, "go-0");
        Markers.touch(d, "go-1");
        assertThat(running.get(30, TimeUnit.SECONDS) + second.get(30, TimeUnit.SECONDS))
                .isEqualTo(1);
        Markers.touch(d, "go-99");
        CompletableFuture<Integer> failing = pool.submit(() -> gated(d, 99));
        assertThat(failing).failsWithin(Duration.ofSeconds(30));
        CompletableFuture<Integer> cancelled = pool.submit(() -> gated(d, 7)); // never released
        cancelled.cancel(true);

        // a task's counters move just after its future completes: wait for them to settle
        Pool.Stats after = settled(pool, 4);
        assertThat(after.submitted()).isEqualTo(4);
        assertThat(after.completed()).isEqualTo(2);
        assertThat(after.failed()).isEqualTo(1);
        assertThat(after.cancelled()).isEqualTo(1);
        assertThat(after.crashed()).isZero();
        assertThat(after.timedOut()).isZero();
        assertThat(server.getAttribute(beanName(pool), "Completed")).isEqualTo(2L);
        assertThat(server.getAttribute(beanName(pool), "Failed")).isEqualTo(1L);
        assertThat(server.getAttribute(beanName(pool), "Name")).isEqualTo(pool.name());

        pool.close();
        assertThat(server.isRegistered(beanName(pool)))
                .as("gone once the pool has terminated")
                .isFalse();

        Path file = tmp.resolve("tasks.jfr");
        recording.stop();
        recording.dump(file);
        recording.close();
        List<RecordedEvent> tasks =
                RecordingFile.readAllEvents(file).stream()
                        .filter(e -> e.getEventType().getName().equals("dev.forkwise.Task"))
                        .filter(e -> e.getString("pool").equals(pool.name()))
                        .toList();
        // the cancelled task may have ended before it started: only started tasks are spans
        assertThat(tasks)
                .extracting(e -> e.getString("outcome"))
                .containsAll(List.of("ok", "ok", "failed"));
        assertThat(tasks)
                .filteredOn(e -> e.getString("outcome").equals("ok"))
                .allSatisfy(
                        e -> {
                            assertThat(e.getString("task")).startsWith("task #");
                            assertThat(e.getString("worker")).isNotBlank();
                        });
    }

    @Test
    void crashesAndTimeoutsAreCountedAndRecorded() throws Exception {
        Path file = tmp.resolve("pool.jfr");
        Pool pool;
        long crashedPid;
        try (Recording r = new Recording()) {
            r.enable("dev.forkwise.Task");
            r.enable("dev.forkwise.WorkerStart");
            r.enable("dev.forkwise.WorkerExit");
            r.start();
            pool =
                    open.add(
                            Pool.processes(
                                    ProcessOptions.builder()
                                            .workers(1)
                                            .taskTimeout(Duration.ofSeconds(1))
                                            .build()));
            assertThat(pool.submit(() -> "ok").get(60, TimeUnit.SECONDS)).isEqualTo("ok");
            CompletableFuture<Long> crash =
                    pool.submit(
                            () -> {
                                Runtime.getRuntime().halt(5);
                                return 0L;
                            });
            crashedPid =
                    crash.handle((v, e) -> ((WorkerCrashedException) e).pid())
                            .get(60, TimeUnit.SECONDS);
            CompletableFuture<Object> spin =
                    pool.submit(
                            () -> {
                                while (true) {
                                    Thread.onSpinWait();
                                }
                            });
            assertThat(spin).failsWithin(Duration.ofSeconds(60));
            assertThat(pool.submit(() -> "after").get(60, TimeUnit.SECONDS)).isEqualTo("after");
            Pool.Stats s = settled(pool, 4);
            assertThat(s.submitted()).isEqualTo(4);
            assertThat(s.completed()).isEqualTo(2);
            assertThat(s.crashed()).isEqualTo(1);
            assertThat(s.timedOut()).isEqualTo(1);
            assertThat(s.workersAlive()).isEqualTo(1);
            assertThat(s.workersRestarted()).isEqualTo(2);
            try (Pool threads = Pool.threads(1)) {
                threads.submit(() -> "on a thread").get(30, TimeUnit.SECONDS);
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> tasks =
                events.stream()
                        .filter(e -> e.getEventType().getName().equals("dev.forkwise.Task"))
                        .toList();
        assertThat(tasks)
                .filteredOn(e -> e.getString("pool").equals(pool.name()))
                .extracting(e -> e.getString("outcome"))
                .containsExactlyInAnyOrder("ok", "crashed", "timed out", "ok");
        assertThat(tasks)
                .filteredOn(e -> e.getString("pool").equals(pool.name()))
                .allSatisfy(
                        e -> {
                            assertThat(e.getString("worker")).startsWith("pid ");
                            assertThat(e.getDuration()).isPositive();
                        })
                .filteredOn(e -> e.getString("outcome").equals("timed out"))
                .allSatisfy(
                        e ->
                                assertThat(e.getDuration())
                                        .isGreaterThanOrEqualTo(Duration.ofSeconds(1)));
        assertThat(tasks)
                .filteredOn(e -> e.getString("pool").startsWith("threads(1)"))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.getString("outcome")).isEqualTo("ok");
                            assertThat(e.getString("worker")).startsWith("forkwise-threads(1)");
                        });
        List<RecordedEvent> starts =
                events.stream()
                        .filter(e -> e.getEventType().getName().equals("dev.forkwise.WorkerStart"))
                        .filter(e -> e.getString("pool").equals(pool.name()))
                        .toList();
        assertThat(starts).as("the first worker and its two replacements").hasSize(3);
        List<RecordedEvent> exits =
                events.stream()
                        .filter(e -> e.getEventType().getName().equals("dev.forkwise.WorkerExit"))
                        .filter(e -> e.getString("pool").equals(pool.name()))
                        .toList();
        assertThat(exits)
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.getString("reason")).isNotBlank());
        assertThat(exits)
                .anySatisfy(
                        e -> {
                            assertThat(e.getLong("pid")).isEqualTo(crashedPid);
                            assertThat(e.getString("reason"))
                                    .isEqualTo("it exited by itself with code 5");
                        });
        assertThat(exits)
                .anySatisfy(
                        e -> assertThat(e.getString("reason")).contains("ran past its time limit"));
    }

    /**
     * A program that logs through java.util.logging, the JDK's default System.Logger, sees a crash.
     */
    private static final String LOGGING_APP =
            """
            import dev.forkwise.Pool;
            import java.util.concurrent.TimeUnit;
            import java.util.logging.Handler;
            import java.util.logging.Level;
            import java.util.logging.LogRecord;
            import java.util.logging.Logger;

            public class LoggingApp {
                public static void main(String[] args) throws Exception {
                    Logger forkwise = Logger.getLogger("dev.forkwise");
                    forkwise.setUseParentHandlers(false);
                    forkwise.setLevel(Level.ALL);
                    forkwise.addHandler(new Handler() {
                        @Override public void publish(LogRecord r) {
                            System.out.println("LOG " + r.getLevel() + " " + r.getMessage());
                        }
                        @Override public void flush() {}
                        @Override public void close() {}
                    });
                    try (Pool pool = Pool.processes(1)) {
                        System.out.println("ok " + pool.submit(() -> 1).get(60, TimeUnit.SECONDS));
                        try {
                            pool.submit(() -> {
                                Runtime.getRuntime().halt(5);
                                return 0;
                            }).get(60, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            Throwable c = e.getCause();
                            System.out.println("crashed " + c.getClass().getSimpleName());
                        }
                    }
                }
            }
            """;

    @Test
    void crashesAndWorkerStartsReachTheApplicationsLogging() throws Exception {
        Path src = Files.writeString(tmp.resolve("LoggingApp.java"), LOGGING_APP);
        Path out = Files.createDirectories(tmp.resolve("app"));
        StringWriter javac = new StringWriter();
        int rc =
                ToolProvider.findFirst("javac")
                        .orElseThrow()
                        .run(
                                new PrintWriter(javac),
                                new PrintWriter(javac),
                                "-cp",
                                Jvms.mainClasses().toString(),
                                "-d",
                                out.toString(),
                                src.toString());
        assertThat(rc).as(javac.toString()).isZero();
        Jvms.Run run =
                Jvms.run(
                        Jvms.command(
                                Jvms.mainClasses() + File.pathSeparator + out,
                                List.of("-Dforkwise.aot=off"),
                                "LoggingApp"),
                        Duration.ofSeconds(90));
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("crashed WorkerCrashedException")
                .containsPattern(
                        "LOG FINE worker pid \\d+ of pool processes\\(1\\)#\\d+ ready in \\d+ ms")
                .containsPattern(
                        "LOG WARNING worker pid \\d+ of pool processes\\(1\\)#\\d+ died \\(exit"
                            + " code 5\\): it exited by itself with code 5; 1 task\\(s\\) lost");
    }
}
