package dev.forkwise.advisor;

import dev.forkwise.Advice;
import dev.forkwise.AutoPool;
import dev.forkwise.codec.Messages;
import dev.forkwise.engine.Backend;
import dev.forkwise.engine.Lifecycle;
import dev.forkwise.engine.TaskFuture;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;

/**
 * The backend of {@link dev.forkwise.Pool#auto()}: runs each task on one of three lanes (platform
 * threads, virtual threads, worker JVMs) and moves between them as its measurements say.
 *
 * <h2>Implementation overview</h2>
 *
 * <p><b>Dispatch.</b> Tasks wait in {@code pending} and are handed to the current lane while fewer
 * than {@code limit} run ({@code limit ≤ bound}, the pool's parallelism). A task that finishes
 * frees its place and the next one goes. Tasks already on a lane finish there when the lane
 * changes, and they count against the same limit, so the bound holds across a change.
 *
 * <p><b>Probe → decide → watch.</b> In {@code PROBE} the lane is platform threads, one per core,
 * and each task is measured (wall, thread CPU, BLOCKED time: a few microseconds per task). A
 * monitor thread decides when enough tasks have finished ({@link #PROBE_TASKS} or {@link
 * #PROBE_NANOS} with at least one), or early when every running task has spent almost all of at
 * least {@link #EARLY_ASLEEP_NANOS} off the CPU while it sleeps or is parked right then, or {@link
 * #EARLY_NANOS} while it is in native code (waiting work should not wait for completions to get
 * more room; a thread running Java code is never taken for a waiting one). Time stopped for a
 * garbage collection or spent waiting for a core counts as neither running nor waiting. While
 * probing, the monitor also samples each task's thread every tick (asleep or in native code, or
 * not): time off the CPU in which the samples never found the tasks asleep is the JVM holding them
 * up (safepoints, a heap that grows), not waiting, and is left out of the shares; with too few
 * samples, a probe that sees time off the CPU runs on for more. The rules are the {@link Judge}'s.
 * In {@code WATCH} only wall times are kept, per window of {@link #DRIFT_TASKS} tasks; when {@link
 * #DRIFT_WINDOWS} windows in a row are more than {@link #DRIFT}× away from the first window after
 * the decision, the pool probes again. So it changes its mind on a real change of workload, not on
 * noise (no continuous hill-climbing).
 *
 * <p><b>Lifecycle.</b> {@code RUNNING → SHUTDOWN → TERMINATED}: after shutdown, queued tasks still
 * run; when none is pending or running, the lanes are shut down and the state is terminal.
 * {@code shutdownNow} returns the tasks never handed to a lane (or that a lane never started) and
 * interrupts the running ones.
 */
public final class AutoBackend implements Backend {

    static final int PROBE_TASKS = 16;
    static final long PROBE_NANOS = 50_000_000L;
    static final long EARLY_NANOS = 3_000_000L;
    /**
     * The early decision's wait for a task whose thread sleeps or is parked right now: a thread in
     * that state wants no core. One in native code ({@code RUNNABLE}: blocking I/O, or native
     * computing that has not shown its CPU time yet) needs {@link #EARLY_NANOS}.
     */
    static final long EARLY_ASLEEP_NANOS = 500_000L;
    static final double DRIFT = 4;
    static final int DRIFT_TASKS = 32;
    static final int DRIFT_WINDOWS = 3;
    private static final long TICK_MILLIS = 1;
    /** The monitor's tick while an early decision is possible. */
    private static final long FAST_TICK_NANOS = 250_000L;
    /** Below this much sampled time the probe's samples do not change its figures. */
    static final long MIN_SAMPLED_NANOS = 10_000_000L;
    /**
     * The longest a probe waits for {@link #MIN_SAMPLED_NANOS} of samples when its figures say the
     * tasks spend time off the CPU; after that it decides on the figures as they are.
     */
    static final long SAMPLED_WAIT_NANOS = 200_000_000L;
    /** How long after a probe starts the monitor keeps {@link #FAST_TICK_NANOS}, at most. */
    private static final long FAST_WINDOW_NANOS = 20_000_000L;
    private static final long IDLE_TICK_MILLIS = 50;
    private static final String SCHEDSTAT = "/proc/thread-self/schedstat";
    private static final boolean HAS_SCHEDSTAT = runDelay() >= 0;
    /**
     * The calling thread's {@code schedstat} by its task id ({@code /proc/thread-self} names the
     * thread that reads it; the monitor reads another thread's), or null where it cannot be found.
     * The task id is the first field of {@code /proc/thread-self/stat}, read with a plain stream:
     * resolving the {@code /proc/thread-self} link through NIO took 50-250 µs on each new thread,
     * which every new automatic pool's threads paid.
     */
    private static final ThreadLocal<String> OWN_SCHEDSTAT = ThreadLocal.withInitial(() -> {
        long tid = procNumber("/proc/thread-self/stat", 0); // "<tid> (<name>) ..."
        return tid < 0 ? null : "/proc/" + ProcessHandle.current().pid() + "/task/" + tid + "/schedstat";
    });
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    /** The collectors whose time is pause time: G1's and ZGC's concurrent cycles run beside the tasks. */
    private static final List<GarbageCollectorMXBean> PAUSING_COLLECTORS = ManagementFactory.getGarbageCollectorMXBeans().stream()
            .filter(b -> !b.getName().contains("Concurrent") && !b.getName().contains("Cycles"))
            .toList();

    private enum Phase { PROBE, WATCH }

    private final int bound;
    private final int cores = Sizing.cores();
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<TaskFuture<?>> pending = new ArrayDeque<>(); // guarded by lock
    private final Map<TaskFuture<?>, Started> onThreads = new ConcurrentHashMap<>();
    /** Set by {@link #shutdownNow} before it stops the running tasks: no task starts after. */
    private volatile boolean stopping;

    /**
     * A task running on a thread of this backend: the thread, when the task started and, when
     * measured, its CPU time then (-1 when not measured), the JVM's collection pauses then, the
     * thread's {@code schedstat} file (or null) and its time waiting for a core then; and what the
     * monitor's samples found it doing while probing ({@link #sampleLocked}).
     *
     * <p>An interrupt meant for this task must never reach the thread after the task has ended (the
     * thread goes on to the pool's next task): {@link #stop} and {@link #ended} take the same
     * monitor, and the task's thread clears its interrupt status after {@code ended()}. And no task
     * may start once {@code shutdownNow} has returned: a task is admitted ({@link #begin}) under that
     * monitor too, after it is registered in {@code onThreads} and has found the pool not stopping;
     * {@code shutdownNow} marks the pool stopping and then stops every registered task, so each
     * task is either stopped before it is admitted, interrupted after, or sees the mark.
     */
    static final class Started {
        final Thread thread;
        final long wall;
        final long cpu;
        final long gcMillis;
        final String schedstat;
        final long runDelay;
        /**
         * Nanoseconds of ticks at which the monitor saw the thread, and of those at which it was asleep
         * or in native code. Guarded by lock.
         */
        long sampled;
        long asleep;

        Started(Thread thread, long wall, long cpu, long gcMillis, String schedstat, long runDelay) {
            this.thread = thread;
            this.wall = wall;
            this.cpu = cpu;
            this.gcMillis = gcMillis;
            this.schedstat = schedstat;
            this.runDelay = runDelay;
        }

        private boolean over; // guarded by this
        private boolean begun; // guarded by this
        private boolean stopped; // guarded by this

        /**
         * Admits the task to run on its thread; false if {@link #stop} came first, and then the
         * task never runs.
         */
        synchronized boolean begin() {
            if (stopped) {
                return false;
            }
            begun = true;
            return true;
        }

        /**
         * {@code shutdownNow}: a task already admitted is interrupted (unless it has ended); one not
         * yet admitted never will be.
         */
        synchronized void stop() {
            stopped = true;
            if (begun && !over) {
                thread.interrupt();
            }
        }

        /** The task has ended: from now on {@link #interruptIfRunning} leaves its thread alone. */
        synchronized void ended() {
            over = true;
        }
    }
    private final List<AutoPool.Decision> decisions = new CopyOnWriteArrayList<>();

    // guarded by lock
    private final Lifecycle life = new Lifecycle(lock, Lifecycle.State.RUNNING);
    private Phase phase = Phase.PROBE;
    private Advice.Backend lane = Advice.Backend.PLATFORM_THREADS;
    private int limit;
    private int running;
    private long probeStarted;
    private long probeTasks;
    private long probeSeen;
    private long probeRunDelay;
    /** Nanoseconds of the counted tasks' samples, and of those asleep or in native code ({@link #sampleLocked}). */
    private long probeSampled;
    private long probeAsleep;
    private long probeWall;
    /** The counted tasks' wall time with the time to measure them: what CPU, blocked and delay are shares of. */
    private long probeSpan;
    private long probeCpu;
    private long probeBlocked;
    private double baselineWall;
    private long windowWall;
    private int windowTasks;
    private int drifting;

    private String poolName;
    private ThreadPoolExecutor platform;
    /** Makes the worker-JVM lane for a number of workers. */
    private final IntFunction<Backend> workerJvms;
    private Backend processes; // guarded by lock; made on first use
    private final Object processStart = new Object();
    private boolean processesStarted; // guarded by processStart
    private volatile Thread monitor;
    /** Whether an early decision may still come: probing, and no probed task has finished yet. Written under lock. */
    private volatile boolean earlyPossible = true;

    /**
     * Creates the backend.
     *
     * @param bound the most tasks that may run at once
     * @param workerJvms makes the worker-JVM lane, a backend of that many worker JVMs, when a
     *     decision first sends tasks there
     */
    public AutoBackend(int bound, IntFunction<Backend> workerJvms) {
        if (bound < 1) {
            throw new IllegalArgumentException("an automatic pool's bound must be 1 or more, not " + bound);
        }
        this.bound = bound;
        this.workerJvms = workerJvms;
        this.limit = Math.min(bound, cores);
    }

    @Override
    public String kind() {
        return "auto(" + bound + ")";
    }

    @Override
    public int parallelism() {
        return bound;
    }

    /** The current lane's limit: computing work on one thread per core gets chunks sized for that. */
    @Override
    public int chunkingParallelism() {
        lock.lock();
        try {
            return limit;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void start(String poolName) {
        this.poolName = poolName;
        // as many threads as the platform lane's limit, kept (a thread per task would start a new
        // thread for each); a decision for more threads raises it
        java.util.concurrent.ThreadFactory named = Thread.ofPlatform().name("forkwise-" + poolName + "-", 0).factory();
        platform = new ThreadPoolExecutor(limit, bound, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> named.newThread(() -> {
                    primeMeasurements();
                    r.run();
                }));
        enableContentionMonitoring();
        // the monitor starts the platform lane's threads first, while the caller prepares its first
        // tasks (at the first task the probe's clock already runs), and not on the caller's time:
        // two threads take 0.5 ms or more to start, a tenth of a job of 50 ms sleeps (a task that
        // comes sooner starts a thread itself)
        ThreadPoolExecutor lane = platform;
        monitor = Thread.ofPlatform().daemon().name("forkwise-" + poolName + "-monitor").start(() -> {
            lane.prestartAllCoreThreads();
            watch();
        });
    }

    /**
     * The measurements' first reads on a new thread cost more than the later ones (0.1-0.3 ms in
     * all: the thread's first {@code /proc/thread-self} lookups, its first snapshot): a lane thread
     * makes them when it starts, which for the prestarted threads is before the first task, not
     * on its way.
     */
    private static void primeMeasurements() {
        blocked(Thread.currentThread());
        MX.getCurrentThreadCpuTime();
        if (HAS_SCHEDSTAT) {
            runDelay();
            ownSchedstat();
        }
    }

    private static volatile boolean contentionMonitoring;

    /** Turns on the JVM's thread contention monitoring (blocked times); checked with the JVM once per JVM. */
    private static void enableContentionMonitoring() {
        if (!contentionMonitoring) {
            if (MX.isThreadContentionMonitoringSupported() && !MX.isThreadContentionMonitoringEnabled()) {
                MX.setThreadContentionMonitoringEnabled(true);
            }
            contentionMonitoring = true;
        }
    }

    /** @return the decisions so far */
    public List<AutoPool.Decision> decisions() {
        return List.copyOf(decisions);
    }

    // ------------------------------------------------------------------ dispatch

    @Override
    public void execute(TaskFuture<?> task) {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            if (!life.is(Lifecycle.State.RUNNING)) {
                throw new java.util.concurrent.RejectedExecutionException(poolName + " is shut down");
            }
            pending.add(task);
            dispatchLocked(after);
        } finally {
            lock.unlock();
        }
        after.forEach(Runnable::run);
    }

    /**
     * Hands pending tasks to the current lane while there is room. The hand-overs themselves go
     * into {@code after}, run once the lock is released: a lane may complete a task at once, and its
     * callback takes this lock, so no other backend is ever called while this lock is held.
     */
    private void dispatchLocked(List<Runnable> after) {
        while (running < limit && !pending.isEmpty()) {
            TaskFuture<?> f = pending.poll();
            if (f.isDone()) {
                continue; // cancelled while queued
            }
            running++;
            if (phase == Phase.PROBE && probeStarted == 0) {
                probeStarted = System.nanoTime();
                Thread m = monitor;
                if (m != null) {
                    after.add(() -> java.util.concurrent.locks.LockSupport.unpark(m));
                }
            }
            switch (lane) {
                case VIRTUAL_THREADS -> after.add(() -> Thread.ofVirtual().name("forkwise-" + poolName + "-v").start(() -> runHere(f, false)));
                case PROCESSES -> {
                    Backend p = processesLocked();
                    after.add(() -> {
                        if (stopping) {
                            f.cancel(false);
                            abandoned();
                            return;
                        }
                        startProcesses(p);
                        long sent = System.nanoTime();
                        f.whenComplete((r, e) -> {
                            long wall = System.nanoTime() - sent;
                            finished(wall, wall, -1, -1, 0, null);
                        });
                        try {
                            p.execute(f);
                        } catch (java.util.concurrent.RejectedExecutionException e) {
                            f.cancel(false); // shutdownNow stopped the worker JVMs first
                        }
                    });
                }
                default -> {
                    OnPlatform job = new OnPlatform(f, phase == Phase.PROBE);
                    after.add(() -> platform.execute(job));
                }
            }
        }
    }

    /** A task on the platform lane; measured when probing. */
    private final class OnPlatform implements Runnable {
        final TaskFuture<?> task;
        final boolean measure;

        OnPlatform(TaskFuture<?> task, boolean measure) {
            this.task = task;
            this.measure = measure;
        }

        @Override
        public void run() {
            runHere(task, measure);
        }
    }

    private void runHere(TaskFuture<?> f, boolean measure) {
        Thread t = Thread.currentThread();
        // the measurements' own cost (a thread snapshot, a /proc read) comes before the CPU clock starts
        long blocked0 = measure ? blocked(t) : 0;
        long delay0 = measure && HAS_SCHEDSTAT ? runDelay() : 0;
        long gc0 = measure ? gcPauseMillis() : 0;
        // only the early decision reads another thread's schedstat, and only before a probe's
        // first task has finished
        String schedstat = measure && HAS_SCHEDSTAT && earlyPossible ? ownSchedstat() : null;
        long cpu0 = measure ? MX.getCurrentThreadCpuTime() : 0;
        long wall0 = System.nanoTime();
        Started started = new Started(t, wall0, measure ? cpu0 : -1, gc0, schedstat, delay0);
        onThreads.put(f, started);
        if (stopping || !started.begin()) {
            // handed to this thread before shutdownNow, and not started by then: it never runs
            onThreads.remove(f);
            started.ended();
            f.cancel(false);
            abandoned();
            return;
        }
        try {
            f.run();
        } finally {
            long wall = System.nanoTime() - wall0;
            long cpu = measure ? MX.getCurrentThreadCpuTime() - cpu0 : -1;
            onThreads.remove(f); // the reads below are not the task: the monitor's samples leave them out
            started.ended();
            long blocked = measure ? (blocked(t) - blocked0) * 1_000_000L : -1;
            // time the task could not run: waiting for a core, or stopped for a garbage collection
            // (a pause looks like waiting from the task's CPU time: tiny tasks that fill the heap
            // were taken for waiting ones)
            long delay = measure ? (HAS_SCHEDSTAT ? Math.max(0, runDelay() - delay0) : 0) + (gcPauseMillis() - gc0) * 1_000_000L : 0;
            // what these reads themselves waited (the thread snapshot waits out a collection; the
            // thread may lose its core) is in their figures, so it must be in the span they are set
            // against: with the span ending at the task's end, chunks of tiny tasks in a heap that
            // grew had "waited for a core" 20 ms in 1 ms
            long span = measure ? System.nanoTime() - wall0 : wall;
            Thread.interrupted(); // a cancel(true) or shutdownNow aimed at this task ends with it
            finished(wall, span, cpu, blocked, delay, started);
        }
    }

    /**
     * Nanoseconds the calling thread has waited on a run queue for a core (Linux's {@code
     * schedstat}), or -1 where that is not available.
     */
    static long runDelay() {
        return runDelay(SCHEDSTAT);
    }

    /** The same for the thread whose {@code schedstat} file is {@code path}; -1 if it cannot be read. */
    static long runDelay(String path) {
        return procNumber(path, 1); // "<ns on a core> <ns waiting for a core> <time slices>"
    }

    /**
     * The number that is field {@code index} (from 0, fields apart by single spaces) of the first
     * 64 bytes of {@code path}, a small {@code /proc} file; -1 if it cannot be read or is not a
     * number there. A plain stream: NIO's {@code Files.readString} took 0.1 to 1.4 ms on a new
     * thread (it sets up a direct buffer per thread), which the probe's first tasks paid twice each.
     */
    private static long procNumber(String path, int index) {
        byte[] b = new byte[64];
        int n;
        try (java.io.FileInputStream in = new java.io.FileInputStream(path)) {
            n = in.read(b);
        } catch (java.io.IOException | RuntimeException e) {
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

    /** The calling thread's {@code schedstat} file by its task id, which other threads can read too; or null. */
    static String ownSchedstat() {
        return OWN_SCHEDSTAT.get();
    }

    /** Milliseconds the JVM has stopped Java threads for garbage collection (concurrent work left out). */
    static long gcPauseMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean b : PAUSING_COLLECTORS) {
            sum += Math.max(0, b.getCollectionTime());
        }
        return sum;
    }

    private static long blocked(Thread t) {
        ThreadInfo i = MX.getThreadInfo(t.threadId());
        return i == null || i.getBlockedTime() < 0 ? 0 : i.getBlockedTime();
    }

    private Backend processesLocked() {
        if (processes == null) {
            processes = workerJvms.apply(Math.min(bound, Math.min(cores, Sizing.workersThatFit())));
        }
        return processes;
    }

    /** Starts the worker-JVM lane once, outside this backend's lock (it launches processes). */
    private void startProcesses(Backend p) {
        synchronized (processStart) {
            if (!processesStarted) {
                p.start(poolName + "-processes");
                processesStarted = true;
            }
        }
    }

    /** The worker-JVM lane, if it was ever started. */
    private Backend startedProcesses() {
        synchronized (processStart) {
            return processesStarted ? processes : null;
        }
    }

    /** A task handed to a lane that {@code shutdownNow} stopped before it began: its place is free. */
    private void abandoned() {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            running--;
            maybeTerminateLocked(after);
        } finally {
            lock.unlock();
        }
        after.forEach(Runnable::run);
    }

    /**
     * A task is done: free its place, learn from it, hand on the next. {@code wall} is the task's
     * own time, {@code span} that and the time to measure it, which {@code cpu}, {@code blocked} and
     * {@code runDelay} are read over. {@code cpu} is -1 when not measured; {@code started} is null
     * for a task that did not run on a thread of this backend.
     */
    private void finished(long wall, long span, long cpu, long blocked, long runDelay, Started started) {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            running--;
            if (cpu >= 0 && phase == Phase.PROBE) {
                earlyPossible = false; // a probed task has finished
                // the first tasks of a probe also pay for class loading and the JIT: not counted
                if (++probeSeen > limit) {
                    probeTasks++;
                    probeWall += wall;
                    probeSpan += span;
                    probeCpu += cpu;
                    probeBlocked += blocked;
                    probeRunDelay += runDelay;
                    probeSampled += started.sampled; // measured, so it ran on a thread of ours
                    probeAsleep += started.asleep;
                }
            } else {
                watchLocked(wall);
            }
            dispatchLocked(after);
            maybeTerminateLocked(after);
        } finally {
            lock.unlock();
        }
        after.forEach(Runnable::run);
    }

    /**
     * Watches wall times in windows of {@link #DRIFT_TASKS}: the first window after a decision is
     * the baseline; {@link #DRIFT_WINDOWS} windows in a row more than {@link #DRIFT}× away from it
     * start a new probe (one slow window, a GC pause, does not).
     */
    private void watchLocked(long wall) {
        if (phase != Phase.WATCH) {
            return;
        }
        windowWall += wall;
        if (++windowTasks < DRIFT_TASKS) {
            return;
        }
        double mean = windowWall / (double) windowTasks;
        windowWall = 0;
        windowTasks = 0;
        if (baselineWall == 0) {
            baselineWall = Math.max(1, mean);
            return;
        }
        double ratio = mean / baselineWall;
        drifting = ratio > DRIFT || ratio < 1 / DRIFT ? drifting + 1 : 0;
        if (drifting >= DRIFT_WINDOWS) {
            startProbeLocked();
        }
    }

    private void startProbeLocked() {
        phase = Phase.PROBE;
        earlyPossible = true;
        lane = Advice.Backend.PLATFORM_THREADS;
        limit = Math.min(bound, cores);
        probeStarted = 0;
        probeTasks = probeWall = probeSpan = probeCpu = probeBlocked = probeSeen = 0;
        probeRunDelay = probeSampled = probeAsleep = 0;
    }

    // ------------------------------------------------------------------ deciding

    /** The monitor: every tick, while probing, sample the running tasks and decide if there is enough to go on. */
    private void watch() {
        long tick = nextTickNanos();
        while (true) {
            java.util.concurrent.locks.LockSupport.parkNanos(tick); // a probe's first task unparks it
            if (Thread.currentThread().isInterrupted()) {
                return; // terminated
            }
            List<Runnable> after = new ArrayList<>();
            lock.lock();
            try {
                if (life.is(Lifecycle.State.TERMINATED)) {
                    return;
                }
                if (phase == Phase.PROBE && probeStarted != 0) {
                    sampleLocked(tick);
                    maybeDecideLocked(after);
                }
            } finally {
                lock.unlock();
            }
            after.forEach(Runnable::run);
            tick = nextTickNanos();
        }
    }

    /**
     * How long the monitor sleeps: {@link #FAST_TICK_NANOS} while an early decision is possible (no
     * task of the probe has finished yet, for at most {@link #FAST_WINDOW_NANOS}), so that waiting
     * work moves within a millisecond; {@link #TICK_MILLIS} for the rest of a probe; rarely when no
     * probe runs (the first task of a probe wakes the monitor).
     */
    private long nextTickNanos() {
        lock.lock();
        try {
            if (phase != Phase.PROBE || probeStarted == 0) {
                return IDLE_TICK_MILLIS * 1_000_000L;
            }
            long now = System.nanoTime();
            boolean early = probeSeen == 0 && now - probeStarted < FAST_WINDOW_NANOS;
            return early ? Math.clamp(untilEarlyPossible(now), FAST_TICK_NANOS, TICK_MILLIS * 1_000_000L) : TICK_MILLIS * 1_000_000L;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Nanoseconds from {@code now} before {@link #everyRunningTaskWaits} can hold, at the soonest:
     * each task needs {@link #EARLY_ASLEEP_NANOS} since its start and its CPU time under the waiting
     * share of that time, even if it uses no more CPU from now on. Tasks that compute push it back
     * (at 1 ms of CPU, 3.3 ms), so the monitor does not wake every {@link #FAST_TICK_NANOS} on the
     * cores that computing work needs for a decision that cannot come yet; waiting work is checked
     * as often as before.
     */
    private long untilEarlyPossible(long now) {
        long until = 0;
        for (Started s : onThreads.values()) {
            if (s.cpu < 0) {
                return Long.MAX_VALUE; // not measured: no early decision while it runs
            }
            long cpu = MX.getThreadCpuTime(s.thread.threadId());
            long elapsed = now - s.wall;
            long needed = Math.max(EARLY_ASLEEP_NANOS, cpu < 0 ? 0 : (long) ((cpu - s.cpu) / Judge.WAITING_CPU_SHARE));
            until = Math.max(until, needed - elapsed);
        }
        return until;
    }

    /**
     * One sample of each measured task's thread, weighted by the tick: asleep ({@code WAITING},
     * {@code TIMED_WAITING}) or in native code (blocking I/O is {@code RUNNABLE} there), or not.
     * The decision uses it to tell waiting from being held up: a thread that runs Java code and yet
     * gets no CPU is stopped by the JVM (a safepoint, a heap that grows after a collection shrank
     * it) or waits for a core; it does not wait for anything of its own.
     */
    private void sampleLocked(long tick) {
        for (Started s : onThreads.values()) {
            if (s.cpu < 0) {
                continue;
            }
            ThreadInfo i = MX.getThreadInfo(s.thread.threadId());
            if (i == null) {
                continue;
            }
            s.sampled += tick;
            if (asleepOrInNative(i)) {
                s.asleep += tick;
            }
        }
    }

    /**
     * Of the measured tasks' time that is neither CPU, nor blocked on a lock, nor waiting for a core
     * ({@code ownWall - cpu - blocked}), the part in which the samples did not find them asleep or in
     * native code: time in which they were running Java code and got no CPU. That is the JVM holding
     * them up (a safepoint; page faults while the heap grows after a collection shrank it, which
     * made chunks of tiny tasks look 60–80% idle in a fresh pool), not the tasks waiting. 0 when the
     * samples cover less than {@link #MIN_SAMPLED_NANOS}.
     *
     * @param ownWall the tasks' wall time less their time waiting for a core
     * @param cpu their CPU time
     * @param blocked their time blocked on monitors
     * @param sampled nanoseconds of samples
     * @param asleep nanoseconds of samples that found them asleep or in native code
     */
    static long heldUpNanos(long ownWall, long cpu, long blocked, long sampled, long asleep) {
        long rest = ownWall - cpu - blocked;
        if (rest <= 0 || sampled < MIN_SAMPLED_NANOS) {
            return 0;
        }
        // the samples are about a millisecond apart: take the asleep share at the top of its range
        // (two standard errors), so that a mix of computing and sleeping that the samples happened
        // to find awake is not taken for held-up computing. The monitor that takes them is stopped
        // by the same pauses and waits for a core like any thread: they cover the tasks' own time
        double n = sampled / 1e6;
        double p = Math.min(1, asleep / (double) sampled);
        double high = Math.min(1, p + 2 * Math.sqrt(p * (1 - p) / n));
        return Math.max(0, rest - (long) (ownWall * high));
    }

    /** Whether a thread is asleep (sleeping, parked, waiting) or in native code, where blocking I/O is. */
    static boolean asleepOrInNative(ThreadInfo i) {
        Thread.State state = i.getThreadState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || (state == Thread.State.RUNNABLE && i.isInNative());
    }

    private void maybeDecideLocked(List<Runnable> after) {
        long now = System.nanoTime();
        boolean enough = probeTasks >= PROBE_TASKS || (probeTasks > 0 && now - probeStarted >= PROBE_NANOS);
        if (!enough && probeTasks == 0 && probeSeen == 0 && now - probeStarted >= EARLY_ASLEEP_NANOS && everyRunningTaskWaits(now)) {
            decideLocked(Advice.Kind.WAITING, 0, 1, 0, List.of(String.format(Locale.ROOT,
                    "The first %d tasks have been running %s and used almost no CPU: they wait.", onThreads.size(), Judge.time(now - probeStarted))), after);
            return;
        }
        if (!enough) {
            return;
        }
        double wall = probeWall / (double) probeTasks;
        // CPU over the wall time the tasks were not kept waiting for a core (other processes and
        // the JIT compete for the cores too): waiting for a core is not the task waiting
        long ownWall = Math.max(1, probeSpan - probeRunDelay);
        // and over the time they were not held up by the JVM either (see heldUpNanos)
        if (probeSampled < MIN_SAMPLED_NANOS && now - probeStarted < SAMPLED_WAIT_NANOS
                && probeCpu + probeBlocked < Judge.COMPUTING_CPU_SHARE * ownWall
                && probeWall >= Judge.TINY_NANOS * probeTasks) {
            // time off the CPU, too few samples to tell waiting from being held up: more tasks
            return;
        }
        long heldUp = heldUpNanos(ownWall, probeCpu, probeBlocked, probeSampled, probeAsleep);
        double heldUpShare = heldUp / (double) ownWall;
        ownWall = Math.max(1, ownWall - heldUp);
        double cpuShare = probeSpan == 0 ? 0 : Math.min(1, probeCpu / (double) ownWall);
        long busy = probeCpu + probeBlocked;
        double lockShare = busy == 0 ? 0 : probeBlocked / (double) busy;
        double blockedShare = probeBlocked / (double) ownWall;
        double waitShare = Math.max(0, 1 - cpuShare - blockedShare);
        String figures = String.format(Locale.ROOT,
                "%d tasks measured on %d platform threads: %s per task, %.0f%% CPU, %.0f%% of busy time blocked on locks, %.0f%% waiting%s.",
                probeTasks, Math.min(bound, cores), Judge.time(wall), 100 * cpuShare, 100 * lockShare, 100 * waitShare,
                heldUpShare < 0.01 ? "" : String.format(Locale.ROOT,
                        " (not counting %.0f%% of their time in which they ran Java code but got no CPU: held up by the JVM, not waiting)",
                        100 * heldUpShare));
        Advice.Kind kind;
        if (wall < Judge.TINY_NANOS) {
            kind = Advice.Kind.TINY;
        } else if (cpuShare < Judge.WAITING_CPU_SHARE && waitShare >= blockedShare) {
            // little CPU because the tasks wait, not because they queue for one lock: on a loaded
            // machine, two threads taking turns at a global lock each got under 30% CPU
            kind = Advice.Kind.WAITING;
        } else if (lockShare >= Judge.GLOBAL_LOCK_SHARE) {
            kind = Advice.Kind.COMPUTING_BEHIND_A_GLOBAL_LOCK;
        } else if (cpuShare >= Judge.COMPUTING_CPU_SHARE) {
            kind = Advice.Kind.COMPUTING;
        } else {
            kind = Advice.Kind.MIXED;
        }
        decideLocked(kind, wall, cpuShare, waitShare, List.of(figures), after);
    }

    /**
     * Whether every task running on a thread is asleep or in native code now and has run for
     * {@link #EARLY_ASLEEP_NANOS} or more ({@link #EARLY_NANOS} if it is in native code), under the
     * waiting share of that time on the CPU. It counts from the task's start, not from when it was
     * first seen asleep: a task that computes 5 ms and then sleeps 5 ms is caught asleep often, and
     * went to virtual threads as waiting work (a tenth slower than on 8 platform threads). A thread
     * that runs Java code or is blocked on a lock right now is not waiting, whatever its CPU time
     * says: if it gets no CPU, the JVM holds it up or it waits for a core.
     */
    private boolean everyRunningTaskWaits(long now) {
        if (onThreads.isEmpty()) {
            return false;
        }
        long gc = gcPauseMillis();
        for (Started s : onThreads.values()) {
            if (s.cpu < 0) {
                return false;
            }
            // the cheap test first (the time since the start is only shortened below): computing
            // tasks fail it without a thread snapshot or a /proc read
            long cpu = MX.getThreadCpuTime(s.thread.threadId());
            if (cpu < 0 || cpu - s.cpu > Judge.WAITING_CPU_SHARE * (now - s.wall)) {
                return false;
            }
            ThreadInfo info = MX.getThreadInfo(s.thread.threadId());
            if (info == null || !asleepOrInNative(info)) {
                return false;
            }
            long needed = info.getThreadState() == Thread.State.RUNNABLE ? EARLY_NANOS : EARLY_ASLEEP_NANOS;
            // time stopped for garbage collection, or waiting for a core while other work has the
            // cores, is time the task could not run, not time it waited: a task that computes 4 ms
            // and sleeps 4 ms, caught asleep after 16 ms on a busy machine, was taken for waiting
            long forCore = s.schedstat == null ? 0 : Math.max(0, runDelay(s.schedstat) - s.runDelay);
            long elapsed = now - s.wall - (gc - s.gcMillis) * 1_000_000L - forCore;
            if (elapsed < needed || cpu - s.cpu > Judge.WAITING_CPU_SHARE * elapsed) {
                return false;
            }
        }
        return true;
    }

    private void decideLocked(Advice.Kind kind, double wall, double cpuShare, double waitShare, List<String> figures, List<Runnable> after) {
        List<String> reasons = new ArrayList<>(figures);
        Advice.Backend next;
        int size;
        switch (kind) {
            case WAITING -> {
                next = Advice.Backend.VIRTUAL_THREADS;
                size = bound;
                reasons.add("They mostly wait: run up to " + bound + " at once (the pool's bound) on virtual threads.");
            }
            case COMPUTING_BEHIND_A_GLOBAL_LOCK -> {
                String why = unsendable();
                if (why == null) {
                    next = Advice.Backend.PROCESSES;
                    size = Math.min(bound, Math.min(cores, Sizing.workersThatFit()));
                    reasons.add("They compute behind one lock, which serializes threads: run them on " + size + " worker JVMs, each with its own lock.");
                } else {
                    next = Advice.Backend.PLATFORM_THREADS;
                    size = Math.min(bound, cores);
                    reasons.add("They compute behind one lock, but cannot be sent to worker JVMs (" + why + "): stay on " + size + " platform threads.");
                }
            }
            case MIXED -> {
                next = Advice.Backend.PLATFORM_THREADS;
                double ratio = waitShare / Math.max(cpuShare, 1e-4);
                size = Sizing.mixedThreads(cores, cpuShare / Math.max(cpuShare + waitShare, 1e-4), bound);
                reasons.add(String.format(Locale.ROOT,
                        "They compute and wait (wait/compute %.2f): %d platform threads, so that at least %d want a core %.0f%% of the time%s.",
                        ratio, size, cores, 100 * (1 - Sizing.IDLE_CHANCE), size == bound ? " (the pool's bound)" : ""));
            }
            default -> {
                next = Advice.Backend.PLATFORM_THREADS;
                size = Math.min(bound, cores);
                reasons.add("They compute: one platform thread per core, " + size + ".");
            }
        }
        lane = next;
        limit = size;
        if (next == Advice.Backend.PLATFORM_THREADS) {
            int threads = size;
            after.add(() -> platform.setCorePoolSize(threads));
        }
        phase = Phase.WATCH;
        earlyPossible = false;
        baselineWall = 0;
        windowWall = 0;
        windowTasks = 0;
        drifting = 0;
        AutoPool.Decision d = new AutoPool.Decision(Instant.now(), kind, next, size, probeTasks, reasons);
        decisions.add(d);
        after.add(() -> AutoEvents.decided(poolName, d));
        dispatchLocked(after);
    }

    /** Why the next task cannot go to a worker JVM, or null if it can. */
    private String unsendable() {
        TaskFuture<?> next = pending.peek();
        if (next == null) {
            return null; // nothing left to send: the next submit finds out at the lane
        }
        try {
            Messages.encode(next.task());
            return null;
        } catch (java.io.IOException | RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    // ------------------------------------------------------------------ lifecycle

    private void maybeTerminateLocked(List<Runnable> after) {
        if (!life.is(Lifecycle.State.SHUTDOWN) || running > 0 || !pending.isEmpty()) {
            return;
        }
        life.advance(Lifecycle.State.TERMINATED);
        platform.shutdown();
        after.add(() -> {
            Backend p = startedProcesses();
            if (p != null) {
                p.shutdown();
            }
        });
        Thread m = monitor;
        after.add(m::interrupt);
    }

    @Override
    public void shutdown() {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            life.advance(Lifecycle.State.SHUTDOWN);
            maybeTerminateLocked(after);
        } finally {
            lock.unlock();
        }
        after.forEach(Runnable::run);
    }

    @Override
    public List<TaskFuture<?>> shutdownNow() {
        List<TaskFuture<?>> never = new ArrayList<>();
        List<Runnable> after = new ArrayList<>();
        Backend p;
        lock.lock();
        try {
            life.advance(Lifecycle.State.SHUTDOWN);
            stopping = true;
            never.addAll(pending);
            pending.clear();
            for (Runnable r : platform.getQueue().toArray(new Runnable[0])) {
                if (platform.remove(r) && r instanceof OnPlatform op) {
                    never.add(op.task);
                    running--;
                }
            }
            maybeTerminateLocked(after);
        } finally {
            lock.unlock();
        }
        onThreads.values().forEach(Started::stop);
        p = startedProcesses();
        if (p != null) {
            List<TaskFuture<?>> notStarted = p.shutdownNow();
            never.addAll(notStarted); // their futures are cancelled by the caller, which frees their places
        }
        after.forEach(Runnable::run);
        return never;
    }

    @Override
    public int workersAlive() {
        Backend p = startedProcesses();
        return p == null ? 0 : p.workersAlive();
    }

    @Override
    public long workersRestarted() {
        Backend p = startedProcesses();
        return p == null ? 0 : p.workersRestarted();
    }

    @Override
    public boolean isShutdown() {
        return life.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return life.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return life.awaitTermination(timeout, unit);
    }
}
