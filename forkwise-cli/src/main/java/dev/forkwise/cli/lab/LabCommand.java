package dev.forkwise.cli.lab;

import dev.forkwise.cli.Forkwise;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code forkwise lab}: runs the seeds' experiments and prints what was measured. */
@Command(
        name = "lab",
        mixinStandardHelpOptions = true,
        versionProvider = Forkwise.VersionProvider.class,
        description = {
            "Runs the seeds' experiments in Java on this machine and prints, for each, a table of"
                    + " what was measured beside what the seed claims.",
            ""
        })
public final class LabCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--quick",
            description =
                    "Fewer rounds and smaller jobs: the whole lab takes about a minute on 2 cores.")
    boolean quick;

    @Option(names = "--list", description = "List the experiments and exit.")
    boolean list;

    @Parameters(
            arity = "0..*",
            paramLabel = "EXPERIMENT",
            description = "Experiments to run, by id (default: all). See --list.")
    List<String> only = new ArrayList<>();

    private final List<Experiment> experiments;

    /** The lab with the seeds' own experiment sizes. */
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
        Settings settings = new Settings(quick);
        out.println(
                "forkwise lab "
                        + Forkwise.version()
                        + " — Java "
                        + Runtime.version()
                        + ", "
                        + Runtime.getRuntime().availableProcessors()
                        + " cores"
                        + (quick ? " (quick: fewer rounds)" : ""));
        int i = 0;
        for (Experiment e : chosen) {
            i++;
            out.println();
            out.printf("[%d/%d] %s%n", i, chosen.size(), e.title());
            out.flush();
            Report r = e.run(settings, out);
            out.println("  The seed says: " + r.claim());
            out.println(r.table().indent(2).stripTrailing());
            for (String f : r.findings()) {
                out.println("  → " + f);
            }
            out.flush();
        }
        return 0;
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
