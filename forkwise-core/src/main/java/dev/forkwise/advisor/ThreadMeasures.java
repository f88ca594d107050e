package dev.forkwise.advisor;

import java.io.FileInputStream;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * What the automatic pool measures about a thread, from the JVM and from Linux's {@code /proc}: CPU
 * time, time blocked on monitors, time waiting for a core ({@code schedstat}), the JVM's collection
 * pauses, and whether a thread is asleep or in native code right now. Each read costs microseconds;
 * none allocates more than a small buffer.
 */
final class ThreadMeasures {

    private static final String SCHEDSTAT = "/proc/thread-self/schedstat";
    static final boolean HAS_SCHEDSTAT = runDelay() >= 0;

    /**
     * The calling thread's {@code schedstat} by its task id ({@code /proc/thread-self} names the
     * thread that reads it; the monitor reads another thread's), or null where it cannot be found.
     * The task id is the first field of {@code /proc/thread-self/stat}, read with a plain stream:
     * resolving the {@code /proc/thread-self} link through NIO took 50-250 µs on each new thread,
     * which every new automatic pool's threads paid.
     */
    private static final ThreadLocal<String> OWN_SCHEDSTAT =
            ThreadLocal.withInitial(
                    () -> {
                        long tid = procNumber("/proc/thread-self/stat", 0); // "<tid> (<name>) ..."
                        return tid < 0
                                ? null
                                : "/proc/"
                                        + ProcessHandle.current().pid()
                                        + "/task/"
                                        + tid
                                        + "/schedstat";
                    });

    static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    /**
     * The collectors whose time is pause time: G1's and ZGC's concurrent cycles run beside the
     * tasks.
     */
    private static final List<GarbageCollectorMXBean> PAUSING_COLLECTORS =
            ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .filter(
                            b ->
                                    !b.getName().contains("Concurrent")
                                            && !b.getName().contains("Cycles"))
                    .toList();

    private static volatile boolean contentionMonitoring;

    private ThreadMeasures() {}

    /**
     * The measurements' first reads on a new thread cost more than the later ones (0.1-0.3 ms in
     * all: the thread's first {@code /proc/thread-self} lookups, its first snapshot): a lane thread
     * makes them when it starts, which for the prestarted threads is before the first task, not on
     * its way.
     */
    static void prime() {
        blockedMillis(Thread.currentThread());
        MX.getCurrentThreadCpuTime();
        if (HAS_SCHEDSTAT) {
            runDelay();
            ownSchedstat();
        }
    }

    /**
     * Turns on the JVM's thread contention monitoring (blocked times); checked with the JVM once
     * per JVM.
     */
    static void enableContentionMonitoring() {
        if (!contentionMonitoring) {
            if (MX.isThreadContentionMonitoringSupported()
                    && !MX.isThreadContentionMonitoringEnabled()) {
                MX.setThreadContentionMonitoringEnabled(true);
            }
            contentionMonitoring = true;
        }
    }

    /**
     * Nanoseconds the calling thread has waited on a run queue for a core (Linux's {@code
     * schedstat}), or -1 where that is not available.
     */
    static long runDelay() {
        return runDelay(SCHEDSTAT);
    }

    /**
     * The same for the thread whose {@code schedstat} file is {@code path}; -1 if it cannot be
     * read.
     */
    static long runDelay(String path) {
        return procNumber(path, 1); // "<ns on a core> <ns waiting for a core> <time slices>"
    }

    /**
     * The calling thread's {@code schedstat} file by its task id, which other threads can read too;
     * or null.
     */
    static String ownSchedstat() {
        return OWN_SCHEDSTAT.get();
    }

    /**
     * Milliseconds the JVM has stopped Java threads for garbage collection (concurrent work left
     * out).
     */
    static long gcPauseMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean b : PAUSING_COLLECTORS) {
            sum += Math.max(0, b.getCollectionTime());
        }
        return sum;
    }

    /** Milliseconds {@code t} has spent blocked on monitors (with contention monitoring on). */
    static long blockedMillis(Thread t) {
        ThreadInfo i = MX.getThreadInfo(t.threadId());
        return i == null || i.getBlockedTime() < 0 ? 0 : i.getBlockedTime();
    }

    /**
     * Whether a thread is asleep (sleeping, parked, waiting) or in native code, where blocking I/O
     * is.
     */
    static boolean asleepOrInNative(ThreadInfo i) {
        Thread.State state = i.getThreadState();
        return state == Thread.State.WAITING
                || state == Thread.State.TIMED_WAITING
                || (state == Thread.State.RUNNABLE && i.isInNative());
    }

    /**
     * The number that is field {@code index} (from 0, fields apart by single spaces) of the first
     * 64 bytes of {@code path}, a small {@code /proc} file; -1 if it cannot be read or is not a
     * number there. A plain stream: NIO's {@code Files.readString} took 0.1 to 1.4 ms on a new
     * thread (it sets up a direct buffer per thread), which the probe's first tasks paid twice
     * each.
     */
    private static long procNumber(String path, int index) {
        byte[] b = new byte[64];
        int n;
        try (FileInputStream in = new FileInputStream(path)) {
            n = in.read(b);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        int i = 0;
        for (int field = 0; field < index; field++) {
            while (i < n && b[i] != ' ') {
                i++;
            }
            i++;
        }
        if (i >= n || b[i] < '0' || b[i] > '9') {
            return -1;
        }
        long v = 0;
        while (i < n && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i++] - '0');
        }
        return v;
    }
}
