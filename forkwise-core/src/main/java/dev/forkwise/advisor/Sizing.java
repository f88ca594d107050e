package dev.forkwise.advisor;

import java.lang.management.ManagementFactory;

/** How many cores and how much memory this JVM may use: the JVM's count, and the container's limits. */
public final class Sizing {

    /** The resident memory a worker JVM is budgeted at, before what its tasks allocate. */
    static final long WORKER_BYTES = 128L << 20;

    private static final CgroupLimits LIMITS = CgroupLimits.current();

    private Sizing() {}

    /** @return the cgroup limits of this process */
    public static CgroupLimits limits() {
        return LIMITS;
    }

    /** @return the processors this JVM may use: the JVM's count, capped by a CPU quota (rounded up) */
    public static int cores() {
        int n = Runtime.getRuntime().availableProcessors();
        if (LIMITS.cpuQuota().isPresent()) {
            n = Math.min(n, (int) Math.max(1, Math.ceil(LIMITS.cpuQuota().getAsDouble())));
        }
        return n;
    }

    /** @return the memory this process and its workers may use: the cgroup limit, else the machine's */
    public static long memory() {
        if (LIMITS.memoryLimit().isPresent()) {
            return LIMITS.memoryLimit().getAsLong();
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** @return how many worker JVMs fit in {@link #memory()} next to this one */
    static int workersThatFit() {
        long room = memory() - Runtime.getRuntime().totalMemory();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, room / WORKER_BYTES));
    }
}
