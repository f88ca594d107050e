package dev.forkwise.cli.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/** Resident memory of a process, from {@code /proc/<pid>/status}. */
public final class Rss {
    private Rss() {}

    /**
     * Returns the resident set size of a process.
     *
     * @param pid the process
     * @return bytes, or 0 if unknown
     */
    public static long of(long pid) {
        try (Stream<String> status = Files.lines(Path.of("/proc/" + pid + "/status"))) {
            return status.filter(l -> l.startsWith("VmRSS:")) // "VmRSS:    123456 kB"
                    .mapToLong(l -> 1024 * Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .findFirst()
                    .orElse(0);
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            return 0; // not Linux, or the process is gone
        }
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    static String kib(long bytes) {
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
