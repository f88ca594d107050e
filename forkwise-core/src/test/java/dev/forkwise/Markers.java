package dev.forkwise;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * Side effects that tasks leave where a test can see them, whichever JVM the task ran in: empty
 * files in a folder. Tasks capture the folder as a {@code String} (a {@code Path} is not
 * serializable).
 */
public final class Markers {

    private Markers() {}

    /** Creates marker {@code name} in {@code dir}; idempotent. */
    public static void touch(String dir, String name) {
        try {
            Files.createFile(Path.of(dir, name));
        } catch (FileAlreadyExistsException e) {
            // already there
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns whether marker {@code name} exists in {@code dir}. */
    public static boolean exists(String dir, String name) {
        return Files.exists(Path.of(dir, name));
    }

    /** Counts the markers in {@code dir} whose names start with {@code prefix}. */
    public static long count(String dir, String prefix) {
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until marker {@code name} exists, polling, for at most {@code limit}.
     *
     * @return whether it appeared in time
     */
    public static boolean await(String dir, String name, Duration limit)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!exists(dir, name)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Sleeps until marker {@code name} exists (a gate a test opens); interruptible. */
    public static void waitFor(String dir, String name) throws InterruptedException {
        while (!exists(dir, name)) {
            Thread.sleep(5);
        }
    }
}
