package dev.forkwise.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code forkwise version}: the version, and the Java and machine it runs on. */
@Command(
        name = "version",
        mixinStandardHelpOptions = true,
        versionProvider = Forkwise.VersionProvider.class,
        description = "Prints forkwise's version and the Java and machine it runs on.")
final class VersionCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    static String[] lines() {
        Runtime.Version v = Runtime.version();
        return new String[] {
            "forkwise " + Forkwise.version(),
            "Java "
                    + v
                    + " ("
                    + System.getProperty("java.vendor")
                    + "), "
                    + System.getProperty("os.name")
                    + " "
                    + System.getProperty("os.arch")
                    + ", "
                    + Runtime.getRuntime().availableProcessors()
                    + " cores"
        };
    }

    @Override
    public Integer call() {
        for (String line : lines()) {
            spec.commandLine().getOut().println(line);
        }
        return 0;
    }
}
