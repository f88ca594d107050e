package dev.forkwise.cli;

import dev.forkwise.cluster.ClusterMember;
import dev.forkwise.cluster.ClusterOptions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code forkwise member}: starts a member of a forkwise cluster with the user's class path. It
 * runs the member in a JVM of its own, started with the options Hazelcast needs on JDK 25 and a
 * class path of forkwise's and the user's, passes its output through, and stops it when this
 * command is stopped.
 */
@Command(
        name = "member",
        mixinStandardHelpOptions = true,
        versionProvider = Forkwise.VersionProvider.class,
        description = {
            "Starts a member of a forkwise cluster (Hazelcast Community Edition) that runs the"
                + " tasks of Cluster.connect(...).pool() and holds its queues, maps, counters and"
                + " locks. Your tasks' classes must be on its class path.",
            "",
            "Community Edition has no TLS and no authentication: bind members only to a private"
                    + " network (the default is loopback).",
            ""
        },
        footer = {
            "",
            "Three machines on a private network, 10.0.0.1 to .3, tasks.jar on each:",
            "  10.0.0.1$ forkwise member --cluster jobs --bind 10.0.0.1 \\",
            "              --class-path tasks.jar --join 10.0.0.1,10.0.0.2,10.0.0.3",
            "  10.0.0.2$ forkwise member --cluster jobs --bind 10.0.0.2 \\",
            "              --class-path tasks.jar --join 10.0.0.1,10.0.0.2,10.0.0.3",
            "  10.0.0.3$ forkwise member --cluster jobs --bind 10.0.0.3 \\",
            "              --class-path tasks.jar --join 10.0.0.1,10.0.0.2,10.0.0.3",
            "Then, in a program that reaches them:",
            "  Cluster.connect(ClusterOptions.of(\"jobs\", \"10.0.0.1:5701\"))",
            "      .pool().map(Task::run, inputs)"
        })
final class MemberCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = {"--class-path", "-cp"},
            paramLabel = "PATH",
            description =
                    "Where your task classes are (jars and folders, separated by ':' on Linux and"
                            + " macOS, ';' on Windows).")
    String classPath;

    @Option(
            names = "--join",
            paramLabel = "HOST[:PORT],...",
            split = ",",
            description =
                    "Members to join by TCP/IP (no multicast); include this one's own address.")
    List<String> join = new ArrayList<>();

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            defaultValue = "127.0.0.1",
            description =
                    "The IP address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    String bind;

    @Option(
            names = "--port",
            defaultValue = "5701",
            description = "The port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--cluster",
            paramLabel = "NAME",
            defaultValue = ClusterOptions.DEFAULT_NAME,
            description =
                    "The cluster's name; members of other names do not meet (default:"
                            + " ${DEFAULT-VALUE}).")
    String cluster;

    @Option(
            names = "--allow",
            paramLabel = "PATTERN",
            description =
                    "An ObjectInputFilter pattern that narrows the classes tasks and values may"
                            + " hold (for example 'com.example.**;!*').")
    String allow;

    @Override
    public Integer call() throws Exception {
        List<String> cmd = command();
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        Thread stop = new Thread(p::destroy);
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return p.waitFor();
        } finally {
            p.destroyForcibly();
        }
    }

    /** The member JVM's command line. */
    List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ClusterMember.jvmOptions());
        cmd.add("-cp");
        String own = System.getProperty("java.class.path");
        cmd.add(classPath == null ? own : own + File.pathSeparator + classPath);
        cmd.add(ClusterMember.class.getName());
        cmd.addAll(List.of("--cluster", cluster, "--bind", bind, "--port", String.valueOf(port)));
        List<String> all = new ArrayList<>(join);
        if (all.isEmpty()) {
            all.add(bind + ":" + port);
        }
        cmd.add("--join");
        cmd.add(String.join(",", all));
        if (allow != null) {
            cmd.add("--allow");
            cmd.add(allow);
        }
        return cmd;
    }
}
