package dev.forkwise.process;

import dev.forkwise.Fn;
import dev.forkwise.ProcessOptions;
import dev.forkwise.codec.Codec;
import dev.forkwise.codec.Message;
import dev.forkwise.engine.Tasks;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The JDK's ahead-of-time cache (JEP 483, 514, 515) for worker JVMs: classes already loaded and
 * linked, and method profiles, so a worker starts and warms up sooner.
 *
 * <h2>How it works</h2>
 *
 * <p>A cache belongs to one worker command line: the {@code java} binary, its version, the class
 * and module path (with each entry's size and modification time) and the JVM options. Its file is
 * named by a hash of all of that, in {@code $XDG_CACHE_HOME/forkwise/aot} (or {@code
 * ~/.cache/forkwise/aot}), a folder private to the user. When a pool is created and its command has
 * a cache, workers start with {@code -XX:AOTCache=<file>}. When it has none, the pool starts its
 * workers without one and, once per command, a <em>training run</em> in the background: the worker
 * command in training mode with {@code -XX:AOTCacheOutput}, which plays both sides of the channel
 * in one JVM (hello, initializer, no-op tasks, map chunks, a large array, a failure) and exits, at
 * which point the JDK writes the cache. Pools created after that use it. A file lock keeps two JVMs
 * from training the same command at once; a failed training is remembered (its output in a {@code
 * .failed} file beside the cache) and not retried. Each rebuild of the class path makes a new cache
 * of about 15 MB, so after each training the folder keeps only the {@link #KEPT} most recently used
 * ones (a pool that uses a cache touches it).
 *
 * <p>The JVM checks a cache against its own command line and class path when it maps it and runs
 * without it if anything changed, so a stale cache costs start time, never correctness.
 *
 * <p>System property {@code forkwise.aot}: {@code off} disables all of this; a path puts the caches
 * there instead of the default folder.
 */
final class Aot {

    /** The argument that starts {@link WorkerMain} in training mode. */
    static final String TRAIN = "--forkwise-aot-training";

    /** The system property that turns the cache off or moves it. */
    static final String PROPERTY = "forkwise.aot";

    private static final Set<String> TRAINING = ConcurrentHashMap.newKeySet();

    /** The training run's time limit: it is killed after this, and the command marked failed. */
    static final int TRAINING_SECONDS = 60;

    /**
     * JVM options that cannot serve a training run and may stop it (a debugger waiting to attach).
     */
    private static final List<String> NOT_FOR_TRAINING =
            List.of("-agentlib:", "-agentpath:", "-Xrun", "-Xdebug");

    /** How many caches a folder keeps (the most recently used). */
    static final int KEPT = 8;

    private Aot() {}

    /** The folder for caches, or null when {@code forkwise.aot=off}. */
    static Path defaultFolder() {
        String p = System.getProperty(PROPERTY, "");
        if (p.equals("off")) {
            return null;
        }
        if (!p.isEmpty()) {
            return Path.of(p);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base =
                xdg != null && !xdg.isEmpty()
                        ? Path.of(xdg)
                        : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("forkwise").resolve("aot");
    }

    /**
     * Returns {@code command} with the cache for it when there is one; otherwise starts training
     * one in the background (at most once per command and JVM) and returns {@code command} as it
     * is.
     *
     * @param command a worker command from {@link Launch#command}
     * @param folder where caches live, or null for none
     */
    static List<String> apply(List<String> command, Path folder) {
        if (folder == null) {
            return command;
        }
        String key = key(command);
        Path cache = folder.resolve(key + ".aot");
        if (Files.isRegularFile(cache)) {
            try {
                Files.setLastModifiedTime(
                        cache, FileTime.from(Instant.now())); // in use: kept by prune
            } catch (IOException e) {
                // a read-only cache folder still serves
            }
            return withCache(command, cache);
        }
        if (!Files.exists(folder.resolve(key + ".failed")) && TRAINING.add(key)) {
            // not a daemon: a program whose main returns waits the few seconds the training takes,
            // so even a short program leaves its cache behind (System.exit does not wait, and the
            // training JVM then dies with this one; the next training sweeps what it left)
            Thread.ofPlatform()
                    .daemon(false)
                    .name("forkwise-aot-training")
                    .start(
                            () -> {
                                try {
                                    Log.debug(
                                            "training the AOT cache for worker JVMs in %s (a few"
                                                + " seconds, once per class path;"
                                                + " -Dforkwise.aot=off turns it off)",
                                            folder);
                                    Path made = train(command, folder);
                                    if (made != null) {
                                        Log.debug("AOT cache for worker JVMs ready: %s", made);
                                    } else if (Files.exists(
                                            folder.resolve(key(command) + ".failed"))) {
                                        Log.warning(
                                                "no AOT cache for worker JVMs: the training failed,"
                                                    + " see %s",
                                                folder.resolve(key(command) + ".failed"));
                                    }
                                } catch (IOException | RuntimeException e) {
                                    // no cache this time: workers start without one
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
        }
        return command;
    }

    /**
     * The command for a worker with {@code options}: {@link Launch#command}, with its cache if it
     * has one.
     */
    static List<String> workerCommand(ProcessOptions options, ClassLoader... loaders) {
        return apply(Launch.command(options, loaders), defaultFolder());
    }

    /**
     * Deletes all but the {@code kept} most recently used caches in {@code folder} (with their lock
     * files). A cache is about 15 MB and each new build of the class path makes a new one, so
     * without this the folder only grows. Using a cache touches it. A worker that has a cache open
     * keeps it readable after the delete.
     */
    static void prune(Path folder, int kept) throws IOException {
        List<Path> caches;
        try (var files = Files.list(folder)) {
            caches =
                    files.filter(f -> f.getFileName().toString().endsWith(".aot"))
                            .collect(Collectors.toCollection(ArrayList::new));
        }
        caches.sort(Comparator.comparing(Aot::lastUse).reversed());
        for (Path old : caches.subList(Math.min(kept, caches.size()), caches.size())) {
            String name = old.getFileName().toString();
            Files.deleteIfExists(old);
            Files.deleteIfExists(
                    folder.resolve(name.substring(0, name.length() - ".aot".length()) + ".lock"));
        }
    }

    /**
     * Deletes what trainings that did not finish left behind (their parent exited or was killed
     * mid-run): partial caches and logs of every key that no JVM is training now, which is known by
     * taking that key's lock.
     */
    static void sweepAbandoned(Path folder) throws IOException {
        List<Path> leftovers;
        try (var files = Files.list(folder)) {
            leftovers =
                    files.filter(
                                    f -> {
                                        String n = f.getFileName().toString();
                                        return n.contains(".aot.part") || n.endsWith(".log");
                                    })
                            .toList();
        }
        for (Path f : leftovers) {
            String n = f.getFileName().toString();
            String key = n.substring(0, n.indexOf('.'));
            try (FileChannel lockFile =
                            FileChannel.open(
                                    folder.resolve(key + ".lock"),
                                    StandardOpenOption.CREATE,
                                    StandardOpenOption.WRITE);
                    FileLock lock = lockFile.tryLock()) {
                if (lock != null) {
                    Files.deleteIfExists(f);
                }
            } catch (OverlappingFileLockException e) {
                // this JVM is training that key right now
            }
        }
    }

    private static FileTime lastUse(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            return FileTime.fromMillis(0); // gone already: first to go
        }
    }

    /** {@code command} with {@code -XX:AOTCache} just before the main class. */
    static List<String> withCache(List<String> command, Path cache) {
        List<String> out = new ArrayList<>(command);
        out.add(1, "-XX:AOTCache=" + cache);
        return out;
    }

    /**
     * Runs a training for {@code command} and waits for it; leaves {@code <key>.aot} in {@code
     * folder} if it worked and {@code <key>.failed} with the training's output if not.
     *
     * @return the cache, or null if none was made (failed, or another JVM was training it)
     */
    static Path train(List<String> command, Path folder) throws IOException, InterruptedException {
        Files.createDirectories(folder);
        try {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the user's own cache folder is as private as it gets
        }
        String key = key(command);
        Path cache = folder.resolve(key + ".aot");
        try (FileChannel lockFile =
                        FileChannel.open(
                                folder.resolve(key + ".lock"),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                FileLock lock = lockFile.tryLock()) {
            if (lock == null || Files.isRegularFile(cache)) {
                return Files.isRegularFile(cache) ? cache : null;
            }
            sweepAbandoned(folder);
            Path partial = folder.resolve(key + ".aot.part");
            Path log = folder.resolve(key + ".log");
            List<String> cmd = trainingCommand(command);
            if (cmd == null) {
                Files.writeString(
                        folder.resolve(key + ".failed"),
                        "no training: the class path does not begin with a jar (the JDK's AOT cache"
                            + " takes classes from jars only)\n");
                return null;
            }
            cmd.add(1, "-XX:AOTCacheOutput=" + partial);
            cmd.add(TRAIN);
            cmd.add(
                    Long.toString(
                            ProcessHandle.current()
                                    .pid())); // watched from its first line, even if we die first
            Process p =
                    new ProcessBuilder(cmd)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            try {
                boolean done = p.waitFor(TRAINING_SECONDS, TimeUnit.SECONDS);
                if (done && p.exitValue() == 0 && Files.isRegularFile(partial)) {
                    Files.move(
                            partial,
                            cache,
                            StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                    Files.deleteIfExists(log);
                    prune(folder, KEPT);
                    return cache;
                }
                String why =
                        done
                                ? "exit code " + p.exitValue()
                                : "it ran past " + TRAINING_SECONDS + " s";
                Files.writeString(
                        folder.resolve(key + ".failed"),
                        "training failed: " + why + "\n" + readQuietly(log));
                return null;
            } finally {
                p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                p.toHandle().destroyForcibly();
                Files.deleteIfExists(partial);
                Files.deleteIfExists(log);
            }
        }
    }

    /**
     * The command for the training run: the worker's, with only the leading jars of its class path,
     * and without debug and profiling agents ({@code -agentlib:jdwp=...,suspend=y} would wait for a
     * debugger before the run could even watch its parent). The JDK makes a cache only from jars,
     * and a cache made with a class path that is a prefix of the worker's still serves the worker;
     * classes from a folder later on the path load as usual.
     *
     * @return the command, or null when there is no such prefix (or forkwise runs as a module)
     */
    static List<String> trainingCommand(List<String> command) {
        int cp = command.indexOf("-cp");
        if (cp < 0 || cp + 1 >= command.size() || command.contains("--module-path")) {
            return null;
        }
        List<String> jars = new ArrayList<>();
        for (String entry : command.get(cp + 1).split(File.pathSeparator)) {
            if (!entry.endsWith(".jar") || !Files.isRegularFile(Path.of(entry))) {
                break;
            }
            jars.add(entry);
        }
        if (jars.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>(command);
        out.set(cp + 1, String.join(File.pathSeparator, jars));
        out.removeIf(o -> NOT_FOR_TRAINING.stream().anyMatch(o::startsWith));
        return out;
    }

    private static String readQuietly(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * A hash of the command, the JVM's version and every class and module path entry's size and
     * time.
     */
    static String key(List<String> command) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(System.getProperty("java.vm.version", "").getBytes(StandardCharsets.UTF_8));
            for (String part : command) {
                d.update(part.getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            for (String entry : pathEntries(command)) {
                File f = new File(entry);
                d.update(
                        (entry + "|" + f.length() + "|" + f.lastModified())
                                .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(d.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static List<String> pathEntries(List<String> command) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < command.size(); i++) {
            String a = command.get(i);
            if ((a.equals("-cp") || a.equals("--module-path")) && i + 1 < command.size()) {
                out.addAll(List.of(command.get(i + 1).split(File.pathSeparator)));
            } else if (a.startsWith("--patch-module=")) {
                String value = a.substring(a.indexOf('=', "--patch-module=".length()) + 1);
                out.addAll(List.of(value.split(File.pathSeparator)));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ the training run

    /** Capture-free work for the training, as a user's map would send it. */
    private static final Fn<Object, Object> TWICE = x -> x instanceof Integer i ? i * 2 : x;

    /**
     * The training run: one JVM plays the parent and a worker, over a real channel, so the classes
     * and the hot methods of both ends are in the cache. Exits the JVM when done, and at once if
     * the JVM that started it, {@code parent}, is gone (even before this started).
     */
    static void train(long parent) throws Exception {
        Daemons.start("forkwise-parent-watch", () -> WorkerMain.watchParent(parent));
        Daemons.start(
                "forkwise-stdin-watch",
                () -> WorkerMain.haltAtEof(System.in)); // the parent holds our stdin
        Codec codec = new Codec(null, Aot.class.getClassLoader(), Tasks.FACTORY);
        try (Channel channel = Channel.open("aot-training")) {
            CompletableFuture<Wire> parentEnd = new CompletableFuture<>();
            String token = channel.expect(parentEnd::complete);
            WorkerMain worker = WorkerMain.connect(channel.path(), token, 1, true);
            Daemons.start("forkwise-task-0", worker::serve);
            Wire wire = parentEnd.get(30, TimeUnit.SECONDS);
            wire.send(Wire.INIT, 0, Message.EMPTY);
            expect(wire, Wire.READY);
            long id = 0;
            Object[] inputs = new Object[2_000];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = i;
            }
            for (int round = 0; round < 200; round++) {
                codec.decode(
                        roundTrip(wire, ++id, Tasks.mapChunk("map", TWICE, inputs, 0), Wire.OK));
                codec.decode(roundTrip(wire, ++id, applyAsync(TWICE, "s" + round), Wire.OK));
            }
            codec.decode(
                    roundTrip(
                            wire, ++id, applyAsync(TWICE, new byte[Codec.ATTACH_AT * 4]), Wire.OK));
            Fn<Object, Object> failing =
                    x -> {
                        throw new IllegalStateException("training");
                    };
            codec.decodeThrowable(roundTrip(wire, ++id, applyAsync(failing, 1), Wire.FAILED));
            wire.send(Wire.ECHO, ++id, new byte[16]);
            expect(wire, Wire.ECHO);
        }
        System.exit(0);
    }

    /**
     * What {@code applyAsync(fn, input)} sends: a one-input chunk whose result is its only output.
     */
    private static Object applyAsync(Fn<Object, Object> fn, Object input) {
        return Tasks.applyOne(fn, input);
    }

    /**
     * Sends {@code task} as request {@code id} and returns the reply, which must be of {@code
     * type}.
     */
    private static Message roundTrip(Wire wire, long id, Object task, byte type)
            throws IOException {
        wire.send(Wire.TASK, id, Codec.encode(task));
        return expect(wire, type).message();
    }

    private static Wire.Frame expect(Wire wire, byte type) throws IOException {
        Wire.Frame f = wire.read();
        if (f.type() != type) {
            throw new IOException("training: expected frame type " + type + ", got " + f.type());
        }
        return f;
    }
}
