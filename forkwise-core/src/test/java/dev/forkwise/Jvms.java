package dev.forkwise;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Separate JVMs that tests start as a user would (a {@code main} of their own, a launcher, the
 * source launcher), each killed with its children if it outlives its time.
 */
public final class Jvms {

    private Jvms() {}

    /** What a finished JVM printed, and its exit code. */
    public record Run(int exitCode, String output) {}

    /** This JVM's {@code java}. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** forkwise-core's compiled classes. */
    public static Path mainClasses() {
        return locationOf(Pool.class);
    }

    /** The test classes (this class's folder). */
    public static Path testClasses() {
        return locationOf(Jvms.class);
    }

    /** The main and test classes as a class path, forkwise in the unnamed module. */
    public static String classPath() {
        return mainClasses() + File.pathSeparator + testClasses();
    }

    private static Path locationOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code command}, its output and errors merged, and waits up to {@code limit}; a JVM
     * still running then is killed with its children, and the test fails.
     */
    public static Run run(List<String> command, Duration limit)
            throws IOException, InterruptedException {
        return run(new ProcessBuilder(command), limit);
    }

    /** Like {@link #run(List, Duration)}, for a command with its own folder or environment. */
    public static Run run(ProcessBuilder pb, Duration limit)
            throws IOException, InterruptedException {
        List<String> command = pb.command();
        Process p = pb.redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread reader =
                Thread.ofPlatform()
                        .daemon()
                        .start(
                                () -> {
                                    try {
                                        String s =
                                                new String(
                                                        p.getInputStream().readAllBytes(),
                                                        StandardCharsets.UTF_8);
                                        synchronized (out) {
                                            out.append(s);
                                        }
                                    } catch (IOException ignored) {
                                        // killed
                                    }
                                });
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + limit + ": " + command);
            }
            reader.join(10_000);
            synchronized (out) {
                return new Run(p.exitValue(), out.toString());
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** {@code java <jvmOptions> -cp <classPath> <main> <args>}. */
    public static List<String> command(
            String classPath, List<String> jvmOptions, String main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(main);
        cmd.addAll(List.of(args));
        return cmd;
    }
}
