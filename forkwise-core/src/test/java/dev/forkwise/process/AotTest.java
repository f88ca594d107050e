package dev.forkwise.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forkwise.Pool;
import dev.forkwise.ProcessOptions;
import dev.forkwise.Workers;
import dev.forkwise.engine.PoolEngine;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The JDK's AOT cache for worker JVMs: which command trains, what the key covers, and a real cache. */
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
            Files.setLastModifiedTime(cache, FileTime.from(now.minusSeconds(3600L * i))); // key0 newest
        }
        Files.writeString(folder.resolve("other.failed"), "training failed");
        // using the oldest cache touches it, so it is kept over the next oldest
        List<String> cmd = List.of("java", "-cp", "x.jar", "Main");
        Files.move(folder.resolve("key" + (Aot.KEPT + 2) + ".aot"), folder.resolve(Aot.key(cmd) + ".aot"));
        assertThat(Aot.apply(cmd, folder)).anyMatch(a -> a.startsWith("-XX:AOTCache="));

        Aot.prune(folder, Aot.KEPT);

        try (var files = Files.list(folder)) {
            List<String> left = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertThat(left.stream().filter(n -> n.endsWith(".aot"))).hasSize(Aot.KEPT).contains(Aot.key(cmd) + ".aot", "key0.aot")
                    .doesNotContain("key" + (Aot.KEPT - 1) + ".aot", "key" + Aot.KEPT + ".aot");
            assertThat(left).doesNotContain("key" + Aot.KEPT + ".lock").contains("key0.lock", "other.failed");
        }
    }

    @Test
    void trainingKeepsOnlyTheLeadingJarsOfTheClassPath() throws Exception {
        Path a = Files.writeString(tmp.resolve("a.jar"), "a");
        Path b = Files.writeString(tmp.resolve("b.jar"), "b");
        Path dir = Files.createDirectories(tmp.resolve("classes"));
        String cp = String.join(File.pathSeparator, a.toString(), b.toString(), dir.toString(), a.toString());
        List<String> training = Aot.trainingCommand(List.of("java", "-cp", cp, "Main"));
        assertThat(training).containsExactly("java", "-cp", a + File.pathSeparator + b, "Main");

        String dirFirst = String.join(File.pathSeparator, dir.toString(), a.toString());
        assertThat(Aot.trainingCommand(List.of("java", "-cp", dirFirst, "Main"))).isNull();
        assertThat(Aot.trainingCommand(List.of("java", "--module-path", a.toString(), "-m", "x/Main"))).isNull();
    }

    @Test
    void theKeyChangesWithTheCommandAndWithAJarOnThePath() throws Exception {
        Path a = Files.writeString(tmp.resolve("a.jar"), "a");
        List<String> cmd = List.of("java", "-cp", a.toString(), "Main");
        String key = Aot.key(cmd);
        assertThat(Aot.key(cmd)).isEqualTo(key);
        assertThat(Aot.key(List.of("java", "-Xmx1g", "-cp", a.toString(), "Main"))).isNotEqualTo(key);
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
        Path classes = Path.of(Pool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ToolProvider jarTool = ToolProvider.findFirst("jar").orElseThrow();
        StringWriter out = new StringWriter();
        int rc = jarTool.run(new PrintWriter(out), new PrintWriter(out), "--create", "--file", jar.toString(), "-C", classes.toString(), ".");
        assertThat(rc).as(out.toString()).isZero();

        List<String> command = List.of(Launch.javaBinary(), Launch.DEFAULT_GC, "-cp", jar.toString(), WorkerMain.class.getName());
        Path folder = tmp.resolve("aot");
        Path cache = Aot.train(command, folder);
        assertThat(cache).as("training output: %s", readFailure(folder)).isNotNull().isRegularFile();
        assertThat(Aot.apply(command, folder)).contains("-XX:AOTCache=" + cache);
        assertThat(Files.getPosixFilePermissions(folder)).hasSize(3); // rwx for the owner only

        // AOTMode=on: the JVM refuses to start unless it can use the cache
        List<String> strict = new java.util.ArrayList<>(Aot.withCache(command, cache));
        strict.add(1, "-XX:AOTMode=on");
        ProcessBackend backend = new ProcessBackend(ProcessOptions.ofWorkers(2), -1, strict);
        try (Pool pool = new PoolEngine(backend)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    backend.echo(new byte[] {1, 2, 3}); // answered only by a worker that is up and ready
                    break;
                } catch (IllegalStateException notYet) {
                    assertThat(System.nanoTime()).as("a worker ready within 60 s").isLessThan(deadline);
                    Thread.sleep(20);
                }
            }
            assertThat(backend.workerPids()).hasSize(2);
            for (long pid : backend.workerPids()) {
                assertThat(ProcessHandle.of(pid).flatMap(h -> h.info().arguments()).map(List::of).orElseThrow())
                        .contains("-XX:AOTCache=" + cache, "-XX:AOTMode=on");
            }
        }
    }

    private static String readFailure(Path folder) throws Exception {
        try (var files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".failed")).map(f -> {
                try {
                    return Files.readString(f);
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            }).findFirst().orElse("(none)");
        }
    }
}
