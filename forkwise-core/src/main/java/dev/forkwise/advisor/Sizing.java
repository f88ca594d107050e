package dev.forkwise.advisor;

import com.sun.management.OperatingSystemMXBean;

import dev.forkwise.Advice;

import java.lang.management.ManagementFactory;

/**
 * How many cores and how much memory this JVM may use: the JVM's count, and the container's limits.
 */
public final class Sizing {

    /** The resident memory a worker JVM is budgeted at, before what its tasks allocate. */
    static final long WORKER_BYTES = 128L << 20;

    private static final CgroupLimits LIMITS = CgroupLimits.current();

    private Sizing() {}

    /**
     * @return the cgroup limits of this process
     */
    public static CgroupLimits limits() {
        return LIMITS;
    }

    /**
     * @return the processors this JVM may use: the JVM's count, capped by a CPU quota (rounded up)
     */
    public static int cores() {
        int n = Runtime.getRuntime().availableProcessors();
        if (LIMITS.cpuQuota().isPresent()) {
            n = Math.min(n, (int) Math.max(1, Math.ceil(LIMITS.cpuQuota().getAsDouble())));
        }
        return n;
    }

    /**
     * @return the memory this process and its workers may use: the cgroup limit, else the machine's
     */
    public static long memory() {
        if (LIMITS.memoryLimit().isPresent()) {
            return LIMITS.memoryLimit().getAsLong();
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    /**
     * How often, at most, fewer tasks want a core than there are cores, for {@link #mixedThreads}.
     */
    static final double IDLE_CHANCE = 0.05;

    /**
     * Threads for tasks that compute for a share {@code cpuShare} of their time and wait for the
     * rest. The textbook {@code cores × (1 + wait/compute)} keeps the cores busy only if the tasks'
     * waits interleave perfectly; independent tasks do not, and with that many a core is often idle
     * (4 tasks that compute half the time leave one of 2 cores idle 31% of the time). So this is
     * the smallest count at which fewer than {@code cores} tasks want a core at most {@link
     * #IDLE_CHANCE} of the time, each computing independently with probability {@code cpuShare} (a
     * binomial tail): never fewer than the textbook count, and at most {@code cap}.
     *
     * @param cores the cores to keep busy
     * @param cpuShare the share of a task's wall time that is CPU time, in (0, 1]
     * @param cap the most threads
     * @return the thread count
     */
    static int mixedThreads(int cores, double cpuShare, int cap) {
        double p = Math.min(1, Math.max(1e-3, cpuShare));
        int n = (int) Math.min(cap, Math.ceil(cores / p - 1e-9)); // cores × (1 + wait/compute)
        while (n < cap && fewerThan(cores, n, p) > IDLE_CHANCE) {
            n++;
        }
        return Math.max(1, n);
    }

    /**
     * The one sizing rule, shared by the advisor and the automatic pool: how many tasks of a {@code
     * kind} to run at once.
     *
     * <ul>
     *   <li>Waiting work: {@code cores × (1 + wait/compute)}, what keeps the cores busy while tasks
     *       wait (with no CPU measured, as many as allowed).
     *   <li>Mixed work: {@link #mixedThreads}.
     *   <li>Work behind one global lock: one worker JVM per core, as many as fit in memory.
     *   <li>Computing and tiny work: one thread per core.
     * </ul>
     *
     * @param kind the kind of work
     * @param cores the cores this JVM may use
     * @param cpuShare the tasks' CPU share of their wall time
     * @param waitShare the tasks' waiting share of their wall time
     * @param bound the most allowed (the pool's bound, or the advisor's cap for the backend)
     * @return the count, from 1 to {@code bound}
     */
    static int threadsFor(
            Advice.Kind kind, int cores, double cpuShare, double waitShare, int bound) {
        int n =
                switch (kind) {
                    case WAITING ->
                            (int)
                                    Math.min(
                                            bound,
                                            Math.ceil(
                                                    cores
                                                            * (1
                                                                    + waitShare
                                                                            / Math.max(
                                                                                    cpuShare,
                                                                                    1e-4))));
                    case MIXED ->
                            mixedThreads(
                                    cores, cpuShare / Math.max(cpuShare + waitShare, 1e-4), bound);
                    case COMPUTING_BEHIND_A_GLOBAL_LOCK, NEEDS_ISOLATION ->
                            Math.min(bound, Math.min(cores, workersThatFit()));
                    default -> Math.min(bound, cores);
                };
        return Math.max(1, n);
    }

    /** P(X < k) for X ~ Binomial(n, p). */
    static double fewerThan(int k, int n, double p) {
        if (p >= 1) {
            return n >= k ? 0 : 1;
        }
        double term = Math.pow(1 - p, n); // P(X = 0)
        double sum = 0;
        for (int i = 0; i < k && i <= n; i++) {
            sum += term;
            term *= (double) (n - i) / (i + 1) * p / (1 - p);
        }
        return Math.min(1, sum);
    }

    /**
     * @return how many worker JVMs fit in {@link #memory()} next to this one
     */
    static int workersThatFit() {
        long room = memory() - Runtime.getRuntime().totalMemory();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, room / WORKER_BYTES));
    }
}
