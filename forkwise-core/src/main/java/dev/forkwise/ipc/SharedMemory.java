package dev.forkwise.ipc;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where forkwise's shared memory lives, and its clean-up.
 *
 * <p>Every shared primitive is a file in one private folder (mode 0700, files 0600): {@code
 * /dev/shm/forkwise-<user>} where {@code /dev/shm} exists (memory, not disk), otherwise {@code
 * forkwise-<user>-shm} in {@code java.io.tmpdir}. The system property {@code forkwise.shm} sets
 * another folder; a process pool passes it on to its workers.
 *
 * <p>The process that creates a primitive owns its file, and its {@code close()} deletes it. If the
 * owner dies without closing, its files are deleted by the next JVM that uses shared memory or
 * closes a process pool, or by {@link #sweep()}.
 */
public final class SharedMemory {

    private SharedMemory() {}

    /**
     * @return the folder shared memory is in
     */
    public static Path folder() {
        return Segments.folder();
    }

    /**
     * Deletes the files of owners that are no longer running.
     *
     * @return how many files were deleted
     */
    public static int sweep() {
        Path f = configuredFolder();
        return Files.isDirectory(f) ? Segments.sweep(f) : 0;
    }

    static Path configuredFolder() {
        String p = System.getProperty("forkwise.shm");
        if (p != null && !p.isBlank()) {
            return Path.of(p).toAbsolutePath();
        }
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm.resolve("forkwise-" + user);
        }
        return Path.of(System.getProperty("java.io.tmpdir"))
                .resolve("forkwise-" + user + "-shm")
                .toAbsolutePath();
    }
}
