package dev.forkwise.advisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The CPU quota and memory limit of the control group this process runs in (a container's, a
 * systemd slice's), from cgroup v2 or v1.
 *
 * <p>v2 (one hierarchy, {@code cgroup.controllers} at its root): {@code cpu.max} is {@code "max
 * PERIOD"} (no quota) or {@code "QUOTA PERIOD"}, and {@code memory.max} is {@code "max"} or bytes.
 * v1 (one hierarchy per controller): {@code cpu/cpu.cfs_quota_us} ({@code -1}: none) over {@code
 * cpu.cfs_period_us}, and {@code memory/memory.limit_in_bytes} (a value near 2^63 means none). A
 * limit set on any ancestor group applies too, so the group's own directory and each parent up to
 * the mount root are read, and the smallest limit wins. Inside a container the group's path is
 * often not visible; the mount root then is the group itself.
 *
 * @param version 2, 1, or 0 when no cgroup file system was found
 * @param cpuQuota the CPU quota in cores, if there is one
 * @param memoryLimit the memory limit in bytes, if there is one
 */
public record CgroupLimits(int version, OptionalDouble cpuQuota, OptionalLong memoryLimit) {

    /**
     * A v1 memory limit at or above this is "no limit" (the kernel writes a page-rounded 2^63-1).
     */
    private static final long V1_UNLIMITED = 1L << 60;

    /** No cgroup, no limits. */
    public static final CgroupLimits NONE =
            new CgroupLimits(0, OptionalDouble.empty(), OptionalLong.empty());

    /**
     * The limits of this process, from {@code /proc/self/cgroup} and {@code /sys/fs/cgroup}; {@link
     * #NONE} elsewhere.
     */
    public static CgroupLimits current() {
        try {
            Path self = Path.of("/proc/self/cgroup");
            if (!Files.isReadable(self)) {
                return NONE;
            }
            return read(Path.of("/sys/fs/cgroup"), Files.readString(self));
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
    }

    /**
     * Reads the limits under a cgroup mount root for the groups named in {@code selfCgroup} (the
     * text of {@code /proc/self/cgroup}).
     */
    public static CgroupLimits read(Path root, String selfCgroup) throws IOException {
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            String path = groupPath(selfCgroup, null);
            OptionalDouble cpu = OptionalDouble.empty();
            OptionalLong mem = OptionalLong.empty();
            for (Path dir : chain(root, path)) {
                cpu = min(cpu, cpuV2(dir.resolve("cpu.max")));
                mem = min(mem, memV2(dir.resolve("memory.max")));
            }
            return new CgroupLimits(2, cpu, mem);
        }
        Path cpuRoot =
                firstDir(
                        root.resolve("cpu,cpuacct"),
                        root.resolve("cpu"),
                        root.resolve("cpuacct,cpu"));
        Path memRoot = firstDir(root.resolve("memory"));
        if (cpuRoot == null && memRoot == null) {
            return NONE;
        }
        OptionalDouble cpu = OptionalDouble.empty();
        OptionalLong mem = OptionalLong.empty();
        if (cpuRoot != null) {
            for (Path dir : chain(cpuRoot, groupPath(selfCgroup, "cpu"))) {
                cpu =
                        min(
                                cpu,
                                cpuV1(
                                        dir.resolve("cpu.cfs_quota_us"),
                                        dir.resolve("cpu.cfs_period_us")));
            }
        }
        if (memRoot != null) {
            for (Path dir : chain(memRoot, groupPath(selfCgroup, "memory"))) {
                mem = min(mem, memV1(dir.resolve("memory.limit_in_bytes")));
            }
        }
        return new CgroupLimits(1, cpu, mem);
    }

    /** The group's path for a v1 controller, or the v2 group ({@code controller} null). */
    static String groupPath(String selfCgroup, String controller) {
        for (String line : selfCgroup.split("\n")) {
            String[] f = line.trim().split(":", 3);
            if (f.length < 3) {
                continue;
            }
            if (controller == null
                    ? f[0].equals("0") && f[1].isEmpty()
                    : List.of(f[1].split(",")).contains(controller)) {
                return f[2];
            }
        }
        return "/";
    }

    /** The mount root, and each directory from it down to the group's, where they exist. */
    private static List<Path> chain(Path root, String group) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(root);
        Path p = root;
        for (String part : group.split("/")) {
            if (part.isEmpty() || part.equals("..") || part.equals(".")) {
                continue;
            }
            p = p.resolve(part);
            if (Files.isDirectory(p)) {
                dirs.add(p);
            }
        }
        return dirs;
    }

    private static Path firstDir(Path... candidates) {
        for (Path p : candidates) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    static OptionalDouble cpuV2(Path cpuMax) throws IOException {
        String s = readOrNull(cpuMax);
        if (s == null) {
            return OptionalDouble.empty();
        }
        String[] f = s.split("\\s+");
        if (f[0].equals("max")) {
            return OptionalDouble.empty();
        }
        long period = f.length > 1 ? Long.parseLong(f[1]) : 100_000;
        return OptionalDouble.of(Long.parseLong(f[0]) / (double) period);
    }

    static OptionalLong memV2(Path memoryMax) throws IOException {
        String s = readOrNull(memoryMax);
        return s == null || s.equals("max")
                ? OptionalLong.empty()
                : OptionalLong.of(Long.parseLong(s));
    }

    static OptionalDouble cpuV1(Path quota, Path period) throws IOException {
        String q = readOrNull(quota);
        String p = readOrNull(period);
        if (q == null || p == null || Long.parseLong(q) <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Long.parseLong(q) / (double) Long.parseLong(p));
    }

    static OptionalLong memV1(Path limit) throws IOException {
        String s = readOrNull(limit);
        if (s == null) {
            return OptionalLong.empty();
        }
        long v = Long.parseLong(s);
        return v >= V1_UNLIMITED ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private static String readOrNull(Path p) throws IOException {
        return Files.isReadable(p) ? Files.readString(p).trim() : null;
    }

    private static OptionalDouble min(OptionalDouble a, OptionalDouble b) {
        return a.isEmpty()
                ? b
                : b.isEmpty() ? a : OptionalDouble.of(Math.min(a.getAsDouble(), b.getAsDouble()));
    }

    private static OptionalLong min(OptionalLong a, OptionalLong b) {
        return a.isEmpty()
                ? b
                : b.isEmpty() ? a : OptionalLong.of(Math.min(a.getAsLong(), b.getAsLong()));
    }

    @Override
    public String toString() {
        if (version == 0) {
            return "no cgroup limits";
        }
        return "cgroup v"
                + version
                + ": CPU "
                + (cpuQuota.isPresent()
                        ? String.format(Locale.ROOT, "%.2f cores", cpuQuota.getAsDouble())
                        : "no quota")
                + ", memory "
                + (memoryLimit.isPresent() ? (memoryLimit.getAsLong() >> 20) + " MiB" : "no limit");
    }
}
