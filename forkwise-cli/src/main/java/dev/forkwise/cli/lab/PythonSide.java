package dev.forkwise.cli.lab;

import com.fasterxml.jackson.jr.ob.JSON;

import dev.forkwise.cli.bench.PythonScript;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The guides' own Python code, run beside the lab's Java ({@code --with-python}): {@code lab.py},
 * shipped in the jar, runs one experiment's Python side in a fresh interpreter and prints its
 * figures as one JSON object, which {@link #run} returns.
 *
 * <p>The interpreter is {@code python3} on the PATH, or the one named by the environment variable
 * {@code FORKWISE_PYTHON}. Where there is none, the side is {@linkplain #available() unavailable}
 * and says {@linkplain #why() why}.
 */
public final class PythonSide {

    private static final String RESOURCE = "/dev/forkwise/cli/lab/lab.py";

    private final String python;
    private final String version;
    private final Path script;
    private final String why;

    private PythonSide(String python, String version, Path script, String why) {
        this.python = python;
        this.version = version;
        this.script = script;
        this.why = why;
    }

    /**
     * Finds the interpreter and unpacks {@code lab.py}.
     *
     * @return the side, available or not
     */
    public static PythonSide find() {
        String name = System.getenv().getOrDefault("FORKWISE_PYTHON", "python3");
        return find(name);
    }

    /**
     * Finds the named interpreter and unpacks {@code lab.py}.
     *
     * @param name the interpreter's name or path
     * @return the side, available or not
     */
    public static PythonSide find(String name) {
        Optional<String> exe = PythonScript.executable(name);
        Optional<String> version = PythonScript.version(name);
        if (exe.isEmpty() || version.isEmpty()) {
            return new PythonSide(
                    null,
                    null,
                    null,
                    "'"
                            + name
                            + "' could not be run, so the guides' Python code is not measured"
                            + " (install python3, or name an interpreter in FORKWISE_PYTHON).");
        }
        try (InputStream in = PythonSide.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the forkwise jar");
            }
            Path script = Files.createTempFile("forkwise-lab-", ".py");
            script.toFile().deleteOnExit();
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            return new PythonSide(exe.get(), version.get(), script, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether Python can run here.
     *
     * @return true if an interpreter was found
     */
    public boolean available() {
        return python != null;
    }

    /**
     * The interpreter's version line.
     *
     * @return for example {@code "Python 3.11.7"}
     */
    public String version() {
        return version;
    }

    /**
     * Why there is no Python column.
     *
     * @return the reason, naming the fix; null when available
     */
    public String why() {
        return why;
    }

    /**
     * Runs one experiment's Python side.
     *
     * @param experiment the experiment's id, as {@code lab.py} knows it
     * @param args its arguments
     * @return the figures it printed, by name
     * @throws IOException if Python fails; the message holds its last error lines
     */
    public Map<String, Object> run(String experiment, Object... args)
            throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException(why);
        }
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), experiment));
        for (Object a : args) {
            cmd.add(String.valueOf(a));
        }
        Process p = new ProcessBuilder(cmd).start();
        try {
            p.getOutputStream().close();
            // stderr on its own thread: a full stderr pipe would stop the script
            CompletableFuture<String> err =
                    CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return new String(
                                            p.getErrorStream().readAllBytes(),
                                            StandardCharsets.UTF_8);
                                } catch (IOException e) {
                                    return e.toString();
                                }
                            },
                            r -> Thread.ofPlatform().daemon().start(r));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                String e = err.join().strip();
                throw new IOException(
                        "the Python side of "
                                + experiment
                                + " failed: "
                                + e.substring(Math.max(0, e.length() - 600)));
            }
            String last = out.strip();
            last = last.substring(last.lastIndexOf('\n') + 1);
            return new HashMap<>(JSON.std.mapFrom(last));
        } finally {
            p.destroyForcibly();
        }
    }
}
