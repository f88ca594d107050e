package dev.forkwise.cli.bench;

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
import java.util.concurrent.TimeUnit;

/**
 * Runs one workload of {@code workloads.py} in a fresh Python process; finds an interpreter for the
 * lab too.
 */
public final class PythonScript {

    private static final String RESOURCE = "/dev/forkwise/cli/bench/workloads.py";

    private final String python;
    private final Path script;

    private PythonScript(String python, Path script) {
        this.python = python;
        this.script = script;
    }

    /**
     * Finds the Python interpreter and unpacks the script.
     *
     * @param python the interpreter's name or path
     * @return the runner, or empty if that interpreter cannot be run
     */
    static Optional<PythonScript> find(String python) {
        Optional<String> executable = executable(python);
        if (executable.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = PythonScript.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the forkwise jar");
            }
            Path script = Files.createTempFile("forkwise-bench-", ".py");
            script.toFile().deleteOnExit();
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            return Optional.of(new PythonScript(executable.get(), script));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The interpreter's version line.
     *
     * @param python the interpreter's name or path
     * @return the line, or empty if it cannot be run
     */
    public static Optional<String> version(String python) {
        return ask(python, "--version");
    }

    /**
     * The interpreter's own path ({@code sys.executable}): a launcher such as a pyenv shim would
     * otherwise add its own start-up to every measurement.
     *
     * @param python the interpreter's name or path
     * @return the path, or empty if it cannot be run
     */
    public static Optional<String> executable(String python) {
        return ask(python, "-c", "import sys; print(sys.executable)");
    }

    private static Optional<String> ask(String python, String... args) {
        List<String> cmd = new ArrayList<>(List.of(python));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                String out =
                        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                                .strip();
                return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0
                        ? Optional.of(out)
                        : Optional.empty();
            } finally {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    String python() {
        return python;
    }

    /** A side that runs {@code workload} with {@code arg}. */
    Side side(String workload, long arg) {
        return () -> run(workload, arg);
    }

    private Sample run(String workload, long arg) throws IOException, InterruptedException {
        List<String> cmd = List.of(python, script.toString(), workload, Long.toString(arg));
        Process p = new ProcessBuilder(cmd).start();
        try {
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(
                        "python workload " + workload + " failed: " + err.strip());
            }
            return parse(out.strip());
        } finally {
            p.destroyForcibly();
        }
    }

    /** Parses the script's line: tab-separated {@code key=value}; impl is text, others numbers. */
    static Sample parse(String line) {
        Map<String, String> fields = new HashMap<>();
        for (String kv : line.split("\t")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                fields.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        String impl = fields.remove("impl");
        fields.remove("workload");
        fields.remove("unit");
        if (impl == null || !fields.containsKey("value")) {
            throw new IllegalStateException("unexpected output from the python workload: " + line);
        }
        Map<String, Double> metrics = new HashMap<>();
        fields.forEach((k, v) -> metrics.put(k, Double.parseDouble(v)));
        return new Sample(impl, metrics);
    }
}
