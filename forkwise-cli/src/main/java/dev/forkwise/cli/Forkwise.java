package dev.forkwise.cli;

import dev.forkwise.cli.bench.BenchCommand;
import dev.forkwise.cli.lab.LabCommand;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The {@code forkwise} command. */
@Command(
        name = "forkwise",
        mixinStandardHelpOptions = true,
        versionProvider = Forkwise.VersionProvider.class,
        description = {
            "Threads, virtual threads and worker JVMs behind one Pool API, chosen by measuring the"
                    + " work.",
            ""
        },
        subcommands = {
            VersionCommand.class,
            LabCommand.class,
            BenchCommand.class,
            AdviseCommand.class,
            MemberCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Forkwise implements Runnable {

    @Spec CommandSpec spec;

    /** Without a subcommand, prints the usage. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Makes the command line, ready to {@code execute}.
     *
     * @return the command line
     */
    public static CommandLine commandLine() {
        return new CommandLine(new Forkwise()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /**
     * Runs the command and exits with its status.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        // the lab and the benchmarks crash and kill workers on purpose, and report it in their
        // tables: the library's warnings about it would only interleave with them
        QUIET.setLevel(Level.SEVERE);
        System.exit(commandLine().execute(args));
    }

    /**
     * The library's logger, held so its level stays set (java.util.logging keeps loggers weakly).
     */
    private static final Logger QUIET = Logger.getLogger("dev.forkwise");

    /**
     * Returns forkwise's version, from the build.
     *
     * @return for example {@code "0.1.0"}
     */
    public static String version() {
        try (InputStream in = Forkwise.class.getResourceAsStream("/forkwise-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Supplies {@code --version} on every command: forkwise, the JVM, the machine. */
    public static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return VersionCommand.lines();
        }
    }
}
