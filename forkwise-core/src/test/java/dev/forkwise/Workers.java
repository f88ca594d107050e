package dev.forkwise;

import java.time.Duration;
import java.util.List;

/**
 * The worker JVMs this test JVM started: found among its own children by their main class, and
 * killed by pid, so no test leaves a process behind.
 */
public final class Workers {

    private Workers() {}

    /** Live children of this JVM that are forkwise workers. */
    public static List<ProcessHandle> live() {
        return ProcessHandle.current()
                .children()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(a -> List.of(a).toString().contains("dev.forkwise.process.WorkerMain")).orElse(false))
                .toList();
    }

    /** Kills every worker child of this JVM, and its own children, by pid. */
    public static void killAll() {
        for (ProcessHandle p : live()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** Waits until none of {@code pids} is alive; returns false if one still is after {@code limit}. */
    public static boolean awaitDead(List<Long> pids, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            boolean anyAlive = pids.stream().anyMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false));
            if (!anyAlive) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
    }

    /** What the system says about {@code pids} (state, parent), for failure messages. */
    public static String describe(List<Long> pids) {
        StringBuilder b = new StringBuilder();
        for (long pid : pids) {
            try {
                b.append(pid).append(": ").append(java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat")).trim()).append("; ");
            } catch (java.io.IOException e) {
                b.append(pid).append(": gone; ");
            }
        }
        return b.toString();
    }
}
