package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The worker JVMs this test JVM started: found among its own children by their main class, and
 * killed by pid, so no test leaves a process behind.
 */
public final class Workers {

    private static final String WORKER_MAIN = "dev.forkwise.process.WorkerMain";

    private Workers() {}

    /** Live children of this JVM that are forkwise workers. */
    public static List<ProcessHandle> live() {
        return ProcessHandle.current()
                .children()
                .filter(ProcessHandle::isAlive)
                .filter(
                        p ->
                                p.info()
                                        .arguments()
                                        .map(a -> List.of(a).toString().contains(WORKER_MAIN))
                                        .orElse(false))
                .toList();
    }

    /** Kills every worker child of this JVM, and its own children, by pid. */
    public static void killAll() {
        for (ProcessHandle p : live()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /**
     * Waits until none of {@code pids} is alive; returns false if one still is after {@code limit}.
     */
    public static boolean awaitDead(List<Long> pids, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            boolean anyAlive = pids.stream().anyMatch(Workers::running);
            if (!anyAlive) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
    }

    /**
     * Whether process {@code pid} still runs: alive and not a zombie (a process that has exited and
     * whose new parent, init, has not reaped it yet).
     */
    public static boolean running(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false; // gone between the two looks
        }
    }

    /** What the system says about {@code pids} (state, parent), for failure messages. */
    public static String describe(List<Long> pids) {
        StringBuilder b = new StringBuilder();
        for (long pid : pids) {
            try {
                b.append(pid)
                        .append(": ")
                        .append(
                                Files.readString(Path.of("/proc", Long.toString(pid), "stat"))
                                        .trim())
                        .append("; ");
            } catch (IOException e) {
                b.append(pid).append(": gone; ");
            }
        }
        return b.toString();
    }

    /**
     * In a parent JVM a test started: writes the pids of its workers to {@code dir}/pids, a file
     * that appears whole.
     */
    public static void writePids(String dir, List<Long> pids) throws IOException {
        Files.writeString(
                Path.of(dir, "pids.tmp"),
                String.join(" ", pids.stream().distinct().map(String::valueOf).toList()));
        Files.move(Path.of(dir, "pids.tmp"), Path.of(dir, "pids"));
    }

    /**
     * Waits for the pids that {@code parent} writes with {@link #writePids}, kills the parent alone
     * with SIGKILL, and asserts that every one of those workers is dead 2 s later. Kills the parent
     * and the workers by pid whatever happens.
     */
    public static void assertDieWithTheirParent(ChildProcess<?> parent, String dir)
            throws Exception {
        List<Long> workers = new ArrayList<>();
        try {
            assertThat(Markers.await(dir, "pids", Duration.ofSeconds(60)))
                    .as("the parent wrote its workers' pids")
                    .isTrue();
            for (String s : Files.readString(Path.of(dir, "pids")).split(" ")) {
                workers.add(Long.parseLong(s));
            }
            assertThat(workers)
                    .isNotEmpty()
                    .allMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false));
            // SIGKILL the parent only (not its tree): its workers are on their own now
            assertThat(ProcessHandle.of(parent.pid()).orElseThrow().destroyForcibly()).isTrue();
            assertThat(parent.join(Duration.ofSeconds(10))).isTrue();
            boolean dead = awaitDead(workers, Duration.ofSeconds(2));
            assertThat(dead)
                    .as("workers %s dead 2 s after their parent: %s", workers, describe(workers))
                    .isTrue();
        } finally {
            parent.kill();
            workers.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
        }
    }
}
