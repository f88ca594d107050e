package dev.forkwise.cli.lab;

import dev.forkwise.process.Memory;
import java.util.Locale;

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
        return Memory.residentBytes(pid);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    static String kib(long bytes) {
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
