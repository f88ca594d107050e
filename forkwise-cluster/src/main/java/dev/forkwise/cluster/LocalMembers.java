package dev.forkwise.cluster;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The member JVMs of {@link Cluster#local}: started on loopback with this JVM's {@code java} and
 * class path, each on a free port, all joining each other; they halt when this JVM's end of their
 * standard input closes (this JVM died), and {@link #close} kills them by process id.
 *
 * <p>Their output is read by one platform daemon thread per member (blocking pipe reads never run
 * on virtual threads): the ready line, and the last lines of standard error for the message when a
 * member fails to start.
 */
final class LocalMembers implements AutoCloseable {

    /** What Hazelcast asks of JDK 25, and the fix for its thread per callback on small machines. */
    static final List<String> FLAGS =
            List.of(
                    "--add-modules",
                    "java.se",
                    "--add-exports",
                    "java.base/jdk.internal.ref=ALL-UNNAMED",
                    "--add-opens",
                    "java.base/java.lang=ALL-UNNAMED",
                    "--add-opens",
                    "java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens",
                    "java.management/sun.management=ALL-UNNAMED",
                    "--add-opens",
                    "jdk.management/com.sun.management.internal=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow",
                    "-Djava.util.concurrent.ForkJoinPool.common.parallelism="
                            + Math.max(2, Runtime.getRuntime().availableProcessors()),
                    "-Djava.net.preferIPv4Stack=true",
                    "-XX:+UseSerialGC",
                    "-Xss512k");

    static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final List<Process> processes = new ArrayList<>();
    private final List<String> addresses = new ArrayList<>();

    private LocalMembers() {}

    /**
     * Starts one member of {@code cluster} on each of {@code binds} (loopback addresses) and waits
     * until all have joined.
     */
    static LocalMembers start(List<String> binds, String cluster, String allowedClasses) {
        int n = binds.size();
        if (n < 1) {
            throw new IllegalArgumentException("a local cluster needs at least 1 member, not " + n);
        }
        LocalMembers members = new LocalMembers();
        try {
            List<Integer> ports = freePorts(binds);
            List<String> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                all.add(binds.get(i) + ":" + ports.get(i));
            }
            List<CompletableFuture<String>> ready = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ready.add(members.launch(cluster, binds.get(i), ports.get(i), all, allowedClasses));
            }
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            for (CompletableFuture<String> r : ready) {
                members.addresses.add(
                        r.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return members;
        } catch (ExecutionException e) {
            members.close();
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            members.close();
            throw new IllegalStateException(
                    "the local cluster's members did not start in "
                            + START_TIMEOUT.toSeconds()
                            + " s",
                    e);
        } catch (InterruptedException e) {
            members.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the local members started", e);
        } catch (IOException | RuntimeException e) {
            members.close();
            throw new IllegalStateException("cannot start the local cluster's members: " + e, e);
        }
    }

    private CompletableFuture<String> launch(
            String cluster, String bind, int port, List<String> join, String allowedClasses)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(FLAGS);
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(ClusterMember.class.getName());
        cmd.addAll(
                List.of(
                        "--cluster",
                        cluster,
                        "--bind",
                        bind,
                        "--port",
                        String.valueOf(port),
                        "--join",
                        String.join(",", join),
                        "--parent-watch"));
        if (allowedClasses != null) {
            cmd.add("--allow");
            cmd.add(allowedClasses);
        }
        Process p = new ProcessBuilder(cmd).start();
        processes.add(p);
        CompletableFuture<String> ready = new CompletableFuture<>();
        Deque<String> lastErr = new ArrayDeque<>();
        Thread.ofPlatform()
                .daemon()
                .name("forkwise-member-" + p.pid() + "-stderr")
                .start(
                        () -> {
                            try (BufferedReader r = reader(p.getErrorStream())) {
                                for (String line; (line = r.readLine()) != null; ) {
                                    synchronized (lastErr) {
                                        lastErr.add(line);
                                        if (lastErr.size() > 20) {
                                            lastErr.removeFirst();
                                        }
                                    }
                                }
                            } catch (IOException e) {
                                // the member is gone
                            }
                        });
        Thread.ofPlatform()
                .daemon()
                .name("forkwise-member-" + p.pid() + "-stdout")
                .start(
                        () -> {
                            try (BufferedReader r = reader(p.getInputStream())) {
                                for (String line; (line = r.readLine()) != null; ) {
                                    if (line.startsWith("forkwise-member ready ")) {
                                        ready.complete(line.substring(22).strip());
                                    }
                                }
                            } catch (IOException e) {
                                // the member is gone
                            }
                            if (!ready.isDone()) {
                                try {
                                    p.waitFor(5, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                String err;
                                synchronized (lastErr) {
                                    err = String.join("\n  ", lastErr);
                                }
                                ready.completeExceptionally(
                                        new IllegalStateException(
                                                "member JVM pid "
                                                        + p.pid()
                                                        + " ended before it joined"
                                                        + (p.isAlive()
                                                                ? ""
                                                                : " (exit code "
                                                                        + p.exitValue()
                                                                        + ")")
                                                        + "; its last error lines:\n  "
                                                        + err));
                            }
                        });
        return ready;
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** This JVM's class path and module path, as one class path for the members. */
    static String classPath() {
        List<String> parts = new ArrayList<>();
        for (String key : List.of("java.class.path", "jdk.module.path")) {
            String v = System.getProperty(key);
            if (v != null && !v.isBlank()) {
                for (String e : v.split(File.pathSeparator)) {
                    if (!e.isBlank() && !parts.contains(e)) {
                        parts.add(e);
                    }
                }
            }
        }
        return String.join(File.pathSeparator, parts);
    }

    private static List<Integer> freePorts(List<String> binds) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (String bind : binds) {
                InetAddress a = InetAddress.getByName(bind);
                if (!a.isLoopbackAddress()) {
                    throw new IllegalArgumentException(
                            bind
                                    + " is not a loopback address: a local cluster runs on this"
                                    + " machine only (127.x.x.x); start members elsewhere with"
                                    + " `forkwise member`");
                }
                ServerSocket s = new ServerSocket(0, 1, a);
                held.add(s);
                ports.add(s.getLocalPort());
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /** The members' addresses, {@code 127.0.0.1:port}. */
    List<String> addresses() {
        return List.copyOf(addresses);
    }

    /** The members' processes. */
    List<Process> processes() {
        return List.copyOf(processes);
    }

    /** Kills every member this started, by process id, and waits for each to end. */
    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
