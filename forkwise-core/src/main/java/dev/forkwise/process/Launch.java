package dev.forkwise.process;

import dev.forkwise.ProcessOptions;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a worker JVM: the parent's own {@code java}, class path and module path, a
 * few lean flags, the user's JVM options, and {@link WorkerMain}.
 *
 * <p>When forkwise itself runs as a named module, the worker starts it the same way ({@code -m
 * dev.forkwise/...}) and repeats the parent's module-graph options ({@code --patch-module}, {@code
 * --add-reads}, {@code --add-opens}, ...), so classes resolve in the worker as in the parent.
 */
final class Launch {

    /**
     * Flags every worker gets: die on OutOfMemoryError, and VM messages on stderr, where we keep
     * the last lines.
     */
    static final List<String> LEAN_FLAGS =
            List.of("-XX:+ExitOnOutOfMemoryError", "-XX:+DisplayVMOutputToStderr");

    /**
     * The collector a worker gets unless its JVM options choose one. A pool usually has one worker
     * per core, so each worker's share of the machine is about one core: a single-threaded
     * collector fits that share, where G1's parallel and concurrent threads in every worker would
     * only compete with each other, and it needs less memory of its own (no remembered sets).
     */
    static final String DEFAULT_GC = "-XX:+UseSerialGC";

    private static final List<String> MODULE_OPTIONS =
            List.of(
                    "--add-modules",
                    "--add-reads",
                    "--add-exports",
                    "--add-opens",
                    "--patch-module",
                    "--limit-modules",
                    "--enable-native-access");

    private Launch() {}

    /**
     * The full command for a worker with {@code options}, for tasks of the thread's context class
     * loader.
     */
    static List<String> command(ProcessOptions options) {
        return command(options, ClassPaths.contextLoader());
    }

    /**
     * The full command for a worker with {@code options}, whose class path also holds what the
     * {@code URLClassLoader}s of {@code loaders} load from ({@link ClassPaths#forWorkers}).
     */
    static List<String> command(ProcessOptions options, ClassLoader... loaders) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(LEAN_FLAGS);
        cmd.addAll(inheritedModuleOptions());
        cmd.add("-Dforkwise.worker=true");
        String shm = System.getProperty("forkwise.shm");
        if (shm != null && !shm.isBlank()) {
            // shared memory the workers create goes where the parent's does
            cmd.add("-Dforkwise.shm=" + shm);
        }
        if (options.jvmOptions().stream().noneMatch(o -> o.matches("-XX:[+-]Use\\w*GC"))) {
            cmd.add(DEFAULT_GC);
        }
        cmd.addAll(options.jvmOptions());
        String cp = String.join(File.pathSeparator, ClassPaths.forWorkers(options, loaders));
        if (!cp.isEmpty()) {
            cmd.add("-cp");
            cmd.add(cp);
        }
        Module m = WorkerMain.class.getModule();
        String mp = System.getProperty("jdk.module.path", "");
        if (m.isNamed() && !mp.isEmpty()) {
            cmd.add("--module-path");
            cmd.add(mp);
            cmd.add("-m");
            cmd.add(m.getName() + "/" + WorkerMain.class.getName());
        } else {
            cmd.add(WorkerMain.class.getName());
        }
        return cmd;
    }

    /** The {@code java} launcher of the running JVM. */
    static String javaBinary() {
        Path home = Path.of(System.getProperty("java.home"));
        Path java = home.resolve("bin").resolve(File.separatorChar == '\\' ? "java.exe" : "java");
        if (Files.isExecutable(java)) {
            return java.toString();
        }
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The parent's module-graph options, in {@code --name=value} form. */
    private static List<String> inheritedModuleOptions() {
        List<String> out = new ArrayList<>();
        if (!WorkerMain.class.getModule().isNamed()) {
            return out;
        }
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            for (String name : MODULE_OPTIONS) {
                if (a.startsWith(name + "=")) {
                    out.add(a);
                } else if (a.equals(name) && i + 1 < args.size()) {
                    out.add(name + "=" + args.get(++i));
                }
            }
        }
        return out;
    }
}
