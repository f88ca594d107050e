package dev.forkwise.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Resident memory of a process, from {@code /proc/<pid>/status} (Linux); 0 where unknown. */
final class Memory {

    private Memory() {}

    /**
     * Returns the resident set size of process {@code pid}.
     *
     * @param pid a process id
     * @return bytes, or 0 if unknown (not Linux, or the process is gone)
     */
    static long residentBytes(long pid) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
            for (String line : lines) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring(6).trim().split("\\s+")[0];
                    return Long.parseLong(kb) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return 0;
    }

    static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
