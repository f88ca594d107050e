package dev.forkwise.cli.lab;

import dev.forkwise.cli.Forkwise;
import dev.forkwise.cli.Progress;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code forkwise lab}: runs the Python guides' experiments in Java and prints, for each, what was
 * measured, the verdict on the guide's claim, and what it means; optionally as an HTML report with
 * charts and as JSON.
 */
@Command(
        name = "lab",
        mixinStandardHelpOptions = true,
        versionProvider = Forkwise.VersionProvider.class,
        description = {
            "Runs the Python guides' experiments in Java on this machine and prints, for each, a"
                    + " table of what was measured, what the guide claims, and a verdict computed"
                    + " from the numbers: holds in Java, differs in Java, or does not hold even in"
                    + " Python.",
            ""
        })
public final class LabCommand implements Callable<Integer> {

    /** The widest a line of the lab's output gets without {@code --wide}. */
    static final int WIDTH = 100;

    @Spec CommandSpec spec;

    @Option(
            names = "--quick",
            description =
                    "Fewer rounds and smaller jobs: the whole lab takes under a minute on 2 cores.")
    boolean quick;

    @Option(names = "--list", description = "List the experiments and exit.")
    boolean list;

    @Option(
            names = "--wide",
            description = "Print tables as wide as they need (default: at most 100 columns).")
    boolean wide;

    @Option(
            names = "--html",
            paramLabel = "FILE",
            description =
                    "Also write one self-contained HTML report (tables, verdicts, charts; opens"
                            + " without a network) to FILE.")
    Path html;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write every measurement, verdict and chart as JSON to FILE.")
    Path json;

    @Option(
            names = "--with-python",
            description =
                    "Run the guides' own Python code beside each experiment that has some, and"
                            + " show both columns (needs python3 on the PATH).")
    boolean withPython;

    @Option(
            names = "--python",
            paramLabel = "NAME",
            description =
                    "The Python interpreter for --with-python (default: $FORKWISE_PYTHON, or"
                            + " python3).")
    String python;

    @Parameters(
            arity = "0..*",
            paramLabel = "EXPERIMENT",
            description = "Experiments to run, by id (default: all). See --list.")
    List<String> only = new ArrayList<>();

    private final List<Experiment> experiments;

    /** The lab with the guides' own experiment sizes. */
    public LabCommand() {
        this(Lab.experiments());
    }

    /**
     * A lab with the given experiments (tests use small ones).
     *
     * @param experiments the experiments, in order
     */
    public LabCommand(List<Experiment> experiments) {
        this.experiments = List.copyOf(experiments);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            for (Experiment e : experiments) {
                out.printf("%-18s %s%n", e.id(), e.title());
            }
            out.flush();
            return 0;
        }
        List<Experiment> chosen = choose();
        List<String> skipped = new ArrayList<>();
        if (quick && only.isEmpty()) {
            chosen.stream().filter(e -> !e.inQuickRun()).forEach(e -> skipped.add(e.id()));
            chosen = chosen.stream().filter(Experiment::inQuickRun).toList();
        }
        PythonSide py =
                !withPython ? null : python == null ? PythonSide.find() : PythonSide.find(python);
        Settings settings = new Settings(quick, py);
        int width = wide ? Integer.MAX_VALUE : WIDTH;
        Instant started = Instant.now();
        String machine =
                "Java "
                        + Runtime.version()
                        + ", "
                        + Runtime.getRuntime().availableProcessors()
                        + " cores"
                        + (quick ? " (quick: fewer rounds)" : "");
        out.println("forkwise lab " + Forkwise.version() + " — " + machine);
        if (withPython) {
            out.println(
                    Report.wrap(
                            py.available()
                                    ? "Python beside Java: "
                                            + py.version()
                                            + ", running the guides' own code where an"
                                            + " experiment has some"
                                    : "No Python columns: " + py.why(),
                            width,
                            "",
                            "  "));
        }
        if (!skipped.isEmpty()) {
            out.println(
                    Report.wrap(
                            "Not in a quick run, for the time it takes: "
                                    + String.join(", ", skipped)
                                    + " (run it by name: forkwise lab "
                                    + skipped.getFirst()
                                    + ").",
                            width,
                            "",
                            "  "));
        }
        boolean bars = Progress.onTerminal();
        List<Outcome> done = new ArrayList<>();
        int i = 0;
        for (Experiment e : chosen) {
            i++;
            out.println();
            String n = "[" + i + "/" + chosen.size() + "] ";
            out.println(Report.wrap(e.title(), width, n, " ".repeat(n.length())));
            out.flush();
            Report r;
            long began = System.nanoTime();
            try (Progress progress = bars ? Progress.bar(e.id(), -1) : Progress.lines(out)) {
                r = e.run(settings, progress);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - began);
            print(r, out, width);
            out.println("  (" + e.id() + " took " + Measure.time(took) + ")");
            done.add(new Outcome(e.id(), r, took));
        }
        LabRun run = new LabRun(Forkwise.version(), machine, started, quick, done);
        if (json != null) {
            Files.writeString(json, run.json());
            out.println();
            out.println("JSON: " + json.toAbsolutePath());
        }
        if (html != null) {
            Files.writeString(html, HtmlReport.render(run));
            out.println();
            out.println("Report: " + html.toAbsolutePath());
        }
        out.flush();
        return 0;
    }

    /** One experiment's id, its report and how long it ran. */
    record Outcome(String id, Report report, Duration took) {}

    /** Prints one report: the claim, the table, the verdict and the findings, within width. */
    static void print(Report r, PrintWriter out, int width) {
        out.println(Report.wrap("Claim: " + r.claim(), width, "  ", "    "));
        out.println(r.table(width - 2).indent(2).stripTrailing());
        if (r.verdict() != null) {
            out.println(Report.wrap(r.verdict().line(), width, "  ⇒ ", "    "));
        }
        for (String f : r.findings()) {
            out.println(Report.wrap(f, width, "  → ", "    "));
        }
        out.flush();
    }

    private List<Experiment> choose() {
        if (only.isEmpty()) {
            return experiments;
        }
        List<Experiment> chosen = new ArrayList<>();
        for (String id : only) {
            Experiment e =
                    experiments.stream()
                            .filter(x -> x.id().equals(id))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new CommandLine.ParameterException(
                                                    spec.commandLine(),
                                                    "no experiment '"
                                                            + id
                                                            + "'; the experiments are: "
                                                            + experiments.stream()
                                                                    .map(Experiment::id)
                                                                    .collect(
                                                                            Collectors.joining(
                                                                                    ", "))));
            chosen.add(e);
        }
        return chosen;
    }
}
