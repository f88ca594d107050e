package dev.forkwise.cli;

import dev.forkwise.Advice;
import dev.forkwise.Advisor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code forkwise advise}: measures the user's own task, a class implementing {@link
 * Advisor.Workload}, and prints the advice.
 *
 * <p>The task may be measured in a worker JVM too (to price the transfer), and a worker starts with
 * this JVM's class path. So when the user's classes are not on it, the command runs itself again in
 * a child JVM whose class path has both, and passes its output through.
 */
@Command(
        name = "advise",
        mixinStandardHelpOptions = true,
        versionProvider = Forkwise.VersionProvider.class,
        description = {
            "Measures your task and says where to run it: platform threads, virtual threads or"
                    + " worker JVMs, with the pool size, the chunk size and the reasons.",
            "The class must implement dev.forkwise.Advisor.Workload and have a public no-argument"
                    + " constructor.",
            ""
        })
final class AdviseCommand implements Callable<Integer> {

    static final String CHILD = "forkwise.advise.child";

    @Spec CommandSpec spec;

    @Option(
            names = {"--class-path", "-cp"},
            description =
                    "Where your classes are (jars and folders, separated by"
                            + " '${sys:path.separator}').")
    String classPath;

    @Option(
            names = "--need",
            description = "What the task needs that cannot be measured: ${COMPLETION-CANDIDATES}.")
    List<Advisor.Need> needs = new ArrayList<>();

    @Parameters(
            index = "0",
            paramLabel = "CLASS",
            description = "Your Advisor.Workload class, for example com.example.RenderWorkload.")
    String className;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (classPath != null && !onOwnClassPath(classPath) && System.getProperty(CHILD) == null) {
            return inChild(out);
        }
        ClassLoader loader =
                classPath == null || onOwnClassPath(classPath)
                        ? AdviseCommand.class.getClassLoader()
                        : new URLClassLoader(urls(classPath), AdviseCommand.class.getClassLoader());
        Class<?> c;
        try {
            c = Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            err.println(
                    "forkwise advise: class "
                            + className
                            + " is not on the class path"
                            + (classPath == null
                                    ? "; give it with --class-path"
                                    : " " + classPath));
            return 2;
        }
        if (!Advisor.Workload.class.isAssignableFrom(c)) {
            err.println(
                    "forkwise advise: "
                            + className
                            + " does not implement dev.forkwise.Advisor.Workload"
                            + " (a task() and its samples())");
            return 2;
        }
        Advisor.Workload<?, ?> w;
        try {
            w = (Advisor.Workload<?, ?>) c.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            err.println(
                    "forkwise advise: " + className + " needs a public no-argument constructor");
            return 2;
        }
        String what = "measuring " + className + " on " + w.samples().size() + " samples";
        Advice a;
        if (Progress.onTerminal()) {
            try (Progress progress = Progress.bar("advise", -1)) {
                progress.step(what);
                a = measure(w);
            }
        } else {
            out.println("forkwise advise: " + what + " ...");
            out.flush();
            a = measure(w);
        }
        out.println();
        out.println(String.format(Locale.ROOT, "  kind:     %s", a.kind()));
        out.println(
                String.format(
                        Locale.ROOT,
                        "  run on:   %s, %d %s",
                        a.backend(),
                        a.poolSize(),
                        a.backend() == Advice.Backend.PROCESSES
                                ? "worker JVMs"
                                : a.backend() == Advice.Backend.INLINE
                                        ? "thread (the caller's)"
                                        : "threads"));
        out.println(
                String.format(Locale.ROOT, "  chunks:   %d inputs per hand-over", a.chunkSize()));
        out.println(
                String.format(
                        Locale.ROOT,
                        "  speedup:  about %.1f× over a plain loop",
                        a.expectedSpeedup()));
        out.println();
        for (String r : a.reasons()) {
            out.println("  - " + r);
        }
        return 0;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Advice measure(Advisor.Workload w) {
        List<Advisor.Need> all = new ArrayList<>(w.needs());
        all.addAll(needs);
        return Advisor.measure(w.task(), w.samples(), all.toArray(new Advisor.Need[0]));
    }

    /** Runs this command again in a JVM whose class path is forkwise's plus the user's. */
    private int inChild(PrintWriter out) throws Exception {
        String own = System.getProperty("java.class.path");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-D" + CHILD + "=true");
        if (Progress.onTerminal()) {
            cmd.add("-D" + Progress.TERMINAL + "=true"); // its bar goes to the inherited stderr
        }
        cmd.add("-cp");
        cmd.add(own + File.pathSeparator + classPath);
        cmd.add(Forkwise.class.getName());
        cmd.add("advise");
        for (Advisor.Need n : needs) {
            cmd.add("--need");
            cmd.add(n.name());
        }
        cmd.add("--class-path");
        cmd.add(classPath);
        cmd.add(className);
        Process p =
                new ProcessBuilder(cmd)
                        .redirectError(
                                Progress.onTerminal()
                                        ? ProcessBuilder.Redirect.INHERIT
                                        : ProcessBuilder.Redirect.PIPE)
                        .redirectErrorStream(!Progress.onTerminal())
                        .start();
        try (var in = p.inputReader()) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
                out.flush();
            }
        }
        return p.waitFor();
    }

    private static boolean onOwnClassPath(String cp) {
        List<String> own =
                List.of(System.getProperty("java.class.path", "").split(File.pathSeparator));
        for (String entry : cp.split(File.pathSeparator)) {
            if (!entry.isEmpty() && !own.contains(entry)) {
                return false;
            }
        }
        return true;
    }

    private static URL[] urls(String cp) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return urls.toArray(new URL[0]);
    }
}
