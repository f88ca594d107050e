package dev.forkwise.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forkwise.ChildProcess;
import dev.forkwise.Jvms;
import dev.forkwise.Pool;
import dev.forkwise.ProcessOptions;
import dev.forkwise.Workers;
import dev.forkwise.engine.PoolEngine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

/**
 * The JDK's AOT cache for worker JVMs: which command trains, what the key covers, and a real cache.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AotTest {

    @TempDir Path tmp;

    @AfterEach
    void noWorkerLeft() {
        Workers.killAll();
    }

    @Test
    void aFolderKeepsOnlyItsMostRecentlyUsedCaches() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("caches"));
        Instant now = Instant.now();
        for (int i = 0; i < Aot.KEPT + 3; i++) {
            Path cache = Files.writeString(folder.resolve("key" + i + ".aot"), "cache " + i);
            Files.createFile(folder.resolve("key" + i + ".lock"));
            Files.setLastModifiedTime(
                    cache, FileTime.from(now.minusSeconds(3600L * i))); // key0 newest
        }
        Files.writeString(folder.resolve("other.failed"), "training failed");
        // using the oldest cache touches it, so it is kept over the next oldest
        List<String> cmd = List.of("java", "-cp", "x.jar", "Main");
        Files.move(
                folder.resolve("key" + (Aot.KEPT + 2) + ".aot"),
                folder.resolve(Aot.key(cmd) + ".aot"));
        assertThat(Aot.apply(cmd, folder)).anyMatch(a -> a.startsWith("-XX:AOTCache="));

        Aot.prune(folder, Aot.KEPT);

        try (var files = Files.list(folder)) {
            List<String> left = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertThat(left.stream().filter(n -> n.endsWith(".aot")))
                    .hasSize(Aot.KEPT)
                    .contains(Aot.key(cmd) + ".aot", "key0.aot")
                    .doesNotContain("key" + (Aot.KEPT - 1) + ".aot", "key" + Aot.KEPT + ".aot");
            assertThat(left)
                    .doesNotContain("key" + Aot.KEPT + ".lock")
                    .contains("key0.lock", "other.failed");
        }
    }

    @Test
    void trainingKeepsOnlyTheLeadingJarsOfTheClassPath() throws Exception {
        Path a = Files.writeString(tmp.resolve("a.jar"), "a");
        Path b = Files.writeString(tmp.resolve("b.jar"), "b");
        Path dir = Files.createDirectories(tmp.resolve("classes"));
        String cp =
                String.join(
                        File.pathSeparator,
                        a.toString(),
                        b.toString(),
                        dir.toString(),
                        a.toString());
        List<String> training = Aot.trainingCommand(List.of("java", "-cp", cp, "Main"));
        assertThat(training).containsExactly("java", "-cp", a + File.pathSeparator + b, "Main");

        String dirFirst = String.join(File.pathSeparator, dir.toString(), a.toString());
        assertThat(Aot.trainingCommand(List.of("java", "-cp", dirFirst, "Main"))).isNull();
        assertThat(
                        Aot.trainingCommand(
                                List.of("java", "--module-path", a.toString(), "-m", "x/Main")))
                .isNull();
    }

    @Test
    void theKeyChangesWithTheCommandAndWithAJarOnThePath() throws Exception {
        Path a = Files.writeString(tmp.resolve("a.jar"), "a");
        List<String> cmd = List.of("java", "-cp", a.toString(), "Main");
        String key = Aot.key(cmd);
        assertThat(Aot.key(cmd)).isEqualTo(key);
        assertThat(Aot.key(List.of("java", "-Xmx1g", "-cp", a.toString(), "Main")))
                .isNotEqualTo(key);
        Files.setLastModifiedTime(a, FileTime.from(Instant.now().plusSeconds(60)));
        assertThat(Aot.key(cmd)).isNotEqualTo(key);
    }

    @Test
    void offMeansNoFolderAndNoTraining() {
        String before = System.getProperty(Aot.PROPERTY);
        System.setProperty(Aot.PROPERTY, "off");
        try {
            assertThat(Aot.defaultFolder()).isNull();
            List<String> cmd = List.of("java", "-cp", "x.jar", "Main");
            assertThat(Aot.apply(cmd, null)).isSameAs(cmd);
        } finally {
            if (before == null) {
                System.clearProperty(Aot.PROPERTY);
            } else {
                System.setProperty(Aot.PROPERTY, before);
            }
        }
    }

    @Test
    void aTrainedCacheStartsRealWorkers() throws Exception {
        // forkwise's classes as a jar: the JDK builds caches from jars only
        Path jar = tmp.resolve("forkwise.jar");
        Path classes =
                Path.of(Pool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ToolProvider jarTool = ToolProvider.findFirst("jar").orElseThrow();
        StringWriter out = new StringWriter();
        int rc =
                jarTool.run(
                        new PrintWriter(out),
                        new PrintWriter(out),
                        "--create",
                        "--file",
                        jar.toString(),
                        "-C",
                        classes.toString(),
                        ".");
        assertThat(rc).as(out.toString()).isZero();

        List<String> command =
                List.of(
                        Launch.javaBinary(),
                        Launch.DEFAULT_GC,
                        "-cp",
                        jar.toString(),
                        WorkerMain.class.getName());
        Path folder = tmp.resolve("aot");
        Path cache = Aot.train(command, folder);
        assertThat(cache)
                .as("training output: %s", readFailure(folder))
                .isNotNull()
                .isRegularFile();
        assertThat(Aot.apply(command, folder)).contains("-XX:AOTCache=" + cache);
        assertThat(Files.getPosixFilePermissions(folder)).hasSize(3); // rwx for the owner only

        // AOTMode=on: the JVM refuses to start unless it can use the cache
        List<String> strict = new ArrayList<>(Aot.withCache(command, cache));
        strict.add(1, "-XX:AOTMode=on");
        ProcessBackend backend = new ProcessBackend(ProcessOptions.ofWorkers(2), -1, strict);
        try (Pool pool = new PoolEngine(backend)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    backend.echo(
                            new byte[] {1, 2, 3}); // answered only by a worker that is up and ready
                    break;
                } catch (IllegalStateException notYet) {
                    assertThat(System.nanoTime())
                            .as("a worker ready within 60 s")
                            .isLessThan(deadline);
                    Thread.sleep(20);
                }
            }
            assertThat(backend.workerPids()).hasSize(2);
            for (long pid : backend.workerPids()) {
                assertThat(
                                ProcessHandle.of(pid)
                                        .flatMap(h -> h.info().arguments())
                                        .map(List::of)
                                        .orElseThrow())
                        .contains("-XX:AOTCache=" + cache, "-XX:AOTMode=on");
            }
        }
    }

    /** forkwise's classes as a jar (the JDK builds caches from jars only). */
    private Path forkwiseJar() throws Exception {
        Path jar = tmp.resolve("forkwise.jar");
        if (Files.exists(jar)) {
            return jar;
        }
        Path classes =
                Path.of(Pool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        StringWriter out = new StringWriter();
        int rc =
                ToolProvider.findFirst("jar")
                        .orElseThrow()
                        .run(
                                new PrintWriter(out),
                                new PrintWriter(out),
                                "--create",
                                "--file",
                                jar.toString(),
                                "-C",
                                classes.toString(),
                                ".");
        assertThat(rc).as(out.toString()).isZero();
        return jar;
    }

    /**
     * A program that makes one pool and returns from {@code main} leaves a usable cache: its JVM
     * waits for the training, which used to die with it (every run trained again and left a partial
     * file). The next run's workers start from that cache.
     */
    @Test
    void aShortProgramLeavesItsCacheBehindAndTheNextRunUsesIt() throws Exception {
        Path folder = tmp.resolve("aot");
        String cp = forkwiseJar() + File.pathSeparator + Jvms.testClasses();
        List<String> cmd =
                Jvms.command(
                        cp, List.of("-Dforkwise.aot=" + folder), "dev.forkwise.launch.OnePoolMain");
        Jvms.Run first = Jvms.run(cmd, Duration.ofSeconds(150));
        assertThat(first.exitCode()).as(first.output()).isZero();
        try (var files = Files.list(folder)) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            assertThat(names)
                    .as("failed: %s", readFailure(folder))
                    .filteredOn(n -> n.endsWith(".aot"))
                    .hasSize(1);
            assertThat(names)
                    .noneMatch(
                            n ->
                                    n.contains(".part")
                                            || n.endsWith(".log")
                                            || n.endsWith(".failed"));
        }
        Jvms.Run second = Jvms.run(cmd, Duration.ofSeconds(60));
        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(second.output())
                .containsPattern("worker args: .*-XX:AOTCache=" + Pattern.quote(folder.toString()));
    }

    @Test
    void whatUnfinishedTrainingsLeftIsSweptUnlessItsKeyIsBeingTrained() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("caches"));
        for (String n :
                List.of("k1.aot.part", "k1.log", "k2.aot.part.config", "k3.aot.part", "k4.aot")) {
            Files.writeString(folder.resolve(n), n);
        }
        try (var lockFile =
                        FileChannel.open(
                                folder.resolve("k3.lock"),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                var held = lockFile.lock()) { // k3 is being trained right now
            Aot.sweepAbandoned(folder);
        }
        assertThat(folder.resolve("k1.aot.part")).doesNotExist();
        assertThat(folder.resolve("k1.log")).doesNotExist();
        assertThat(folder.resolve("k2.aot.part.config")).doesNotExist();
        assertThat(folder.resolve("k3.aot.part")).exists();
        assertThat(folder.resolve("k4.aot")).exists();
    }

    @Test
    void theTrainingLeavesOutDebugAgents() throws Exception {
        Path jar = Files.writeString(tmp.resolve("a.jar"), "a");
        List<String> cmd =
                List.of(
                        "java",
                        "-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=5005",
                        "-agentpath:/opt/profiler.so",
                        "-Xdebug",
                        "-Xmx256m",
                        "-cp",
                        jar.toString(),
                        "Main");
        assertThat(Aot.trainingCommand(cmd))
                .containsExactly("java", "-Xmx256m", "-cp", jar.toString(), "Main");
    }

    /** The training JVM dies with the JVM that started it, as workers do. */
    @Test
    void theTrainingDiesWithItsParent() throws Exception {
        // -Xint: a training that takes long enough to be caught running
        List<String> command =
                List.of(
                        Launch.javaBinary(),
                        "-Xint",
                        "-cp",
                        forkwiseJar().toString(),
                        WorkerMain.class.getName());
        String folder =
                tmp.resolve("aot").toString(); // a Path cannot be sent to a child: its name can
        ChildProcess<Object> parent =
                ChildProcess.builder()
                        .daemon(true)
                        .start(
                                () -> {
                                    Aot.apply(command, Path.of(folder));
                                    Thread.sleep(300_000);
                                    return null;
                                });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Optional<ProcessHandle> training = Optional.empty();
            while (training.isEmpty() && System.nanoTime() < deadline) {
                training =
                        ProcessHandle.of(parent.pid()).stream()
                                .flatMap(ProcessHandle::descendants)
                                .filter(
                                        h ->
                                                h.info()
                                                        .arguments()
                                                        .map(a -> List.of(a).contains(Aot.TRAIN))
                                                        .orElse(false))
                                .findFirst();
                Thread.sleep(20);
            }
            assertThat(training).as("the parent started a training").isPresent();
            long pid = training.get().pid();
            assertThat(ProcessHandle.of(parent.pid()).orElseThrow().destroyForcibly()).isTrue();
            // within moments of reaching its main (which a JVM under -Xint on a busy machine may
            // take a few seconds to)
            assertThat(Workers.awaitDead(List.of(pid), Duration.ofSeconds(10)))
                    .as("training %s: %s", pid, Workers.describe(List.of(pid)))
                    .isTrue();
        } finally {
            parent.kill();
        }
    }

    private static String readFailure(Path folder) throws Exception {
        try (var files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".failed"))
                    .map(
                            f -> {
                                try {
                                    return Files.readString(f);
                                } catch (IOException e) {
                                    return e.toString();
                                }
                            })
                    .findFirst()
                    .orElse("(none)");
        }
    }
}
