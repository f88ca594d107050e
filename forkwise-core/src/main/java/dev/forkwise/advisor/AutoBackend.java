package dev.forkwise.advisor;

import dev.forkwise.Advice;
import dev.forkwise.AutoPool;
import dev.forkwise.codec.Messages;
import dev.forkwise.engine.Backend;
import dev.forkwise.engine.Lifecycle;
import dev.forkwise.engine.TaskFuture;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * changes, and they count against the same limit, so the bound holds across a change. The
 * worker-JVM lane is a backend given to this one ({@code workerJvms}), made on first use.
 *
 * <p><b>Probe → decide → watch.</b> In {@code PROBE} the lane is platform threads, one per core,
 * and each task is measured ({@link ThreadMeasures}: a few microseconds per task). A monitor thread
 * samples the running tasks every tick and asks the {@link LiveProbe} for a verdict; the verdict's
 * kind comes from the {@link Classifier} and its size from {@link Sizing#threadsFor}, the same
 * rules as the {@link Judge}'s. In {@code WATCH} only wall times are kept ({@link Drift}); when the
 * work drifts, the pool probes again. So it changes its mind on a real change of workload, not on
 * noise.
 *
 * <p><b>Lifecycle.</b> {@code RUNNING → SHUTDOWN → TERMINATED}: after shutdown, queued tasks still
 * run; when none is pending or running, the lanes are shut down and the state is terminal. {@code
 * shutdownNow} returns the tasks never handed to a lane (or that a lane never started) and
 * interrupts the running ones.
 *
 * <p>Memory consistency effects: everything under {@code lock}; a lane's completion callback takes
 * it, and no other backend is called while it is held (hand-overs run after it is released).
 */
public final class AutoBackend implements Backend {

    private static final long TICK_MILLIS = 1;

    /** The monitor's tick while an early decision is possible. */
    private static final long FAST_TICK_NANOS = 250_000L;

    /** How long after a probe starts the monitor keeps {@link #FAST_TICK_NANOS}, at most. */
    private static final long FAST_WINDOW_NANOS = 20_000_000L;

    private static final long IDLE_TICK_MILLIS = 50;

    private enum Phase {
        PROBE,
        WATCH
    }

    private final int bound;
    private final int cores = Sizing.cores();

    /** Makes the worker-JVM lane for a number of workers. */
    private final IntFunction<Backend> workerJvms;

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<TaskFuture<?>> pending = new ArrayDeque<>(); // guarded by lock
    private final Map<TaskFuture<?>, RunningTask> onThreads = new ConcurrentHashMap<>();
    private final List<AutoPool.Decision> decisions = new CopyOnWriteArrayList<>();

    /** Set by {@link #shutdownNow} before it stops the running tasks: no task starts after. */
    private volatile boolean stopping;

    // guarded by lock
    private final Lifecycle life = new Lifecycle(lock, Lifecycle.State.RUNNING);
    private final LiveProbe probe = new LiveProbe();
    private final Drift drift = new Drift();
    private Phase phase = Phase.PROBE;
    private Advice.Backend lane = Advice.Backend.PLATFORM_THREADS;
    private int limit;
    private int running;
    private Backend processes; // made on first use

    private String poolName;
    private ThreadPoolExecutor platform;
    private final Object processStart = new Object();
    private boolean processesStarted; // guarded by processStart
    private volatile Thread monitor;

    /**
     * Whether an early decision may still come: probing, and no probed task has finished yet.
     * Written under lock.
     */
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
            throw new IllegalArgumentException(
                    "an automatic pool's bound must be 1 or more, not " + bound);
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

    /**
     * The current lane's limit: computing work on one thread per core gets chunks sized for that.
     */
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
        ThreadFactory named = Thread.ofPlatform().name("forkwise-" + poolName + "-", 0).factory();
        platform =
                new ThreadPoolExecutor(
                        limit,
                        bound,
                        30,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        r ->
                                named.newThread(
                                        () -> {
                                            ThreadMeasures.prime();
                                            r.run();
                                        }));
        ThreadMeasures.enableContentionMonitoring();
        // the monitor starts the platform lane's threads first, while the caller prepares its first
        // tasks (at the first task the probe's clock already runs), and not on the caller's time:
        // two threads take 0.5 ms or more to start, a tenth of a job of 50 ms sleeps (a task that
        // comes sooner starts a thread itself)
        ThreadPoolExecutor lane = platform;
        monitor =
                Thread.ofPlatform()
                        .daemon()
                        .name("forkwise-" + poolName + "-monitor")
                        .start(
                                () -> {
                                    lane.prestartAllCoreThreads();
                                    watch();
                                });
    }

    /**
     * @return the decisions so far
     */
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
                throw new RejectedExecutionException(poolName + " is shut down");
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
     * into {@code after}, run once the lock is released: a lane may complete a task at once, and
     * its callback takes this lock, so no other backend is ever called while this lock is held.
     */
    private void dispatchLocked(List<Runnable> after) {
        while (running < limit && !pending.isEmpty()) {
            TaskFuture<?> f = pending.poll();
            if (f.isDone()) {
                continue; // cancelled while queued
            }
            running++;
            if (phase == Phase.PROBE && !probe.running()) {
                probe.start(System.nanoTime());
                Thread m = monitor;
                if (m != null) {
                    after.add(() -> LockSupport.unpark(m));
                }
            }
            switch (lane) {
                case VIRTUAL_THREADS ->
                        after.add(
                                () ->
                                        Thread.ofVirtual()
                                                .name("forkwise-" + poolName + "-v")
                                                .start(() -> runHere(f, false)));
                case PROCESSES -> {
                    Backend p = processesLocked();
                    after.add(() -> toWorkerJvms(p, f));
                }
                default -> {
                    OnPlatform job = new OnPlatform(f, phase == Phase.PROBE);
                    after.add(() -> platform.execute(job));
                }
            }
        }
    }

    /** Hands a task to the worker-JVM lane, outside the lock; only its wall time is measured. */
    private void toWorkerJvms(Backend p, TaskFuture<?> f) {
        if (stopping) {
            f.cancel(false);
            abandoned();
            return;
        }
        startProcesses(p);
        long sent = System.nanoTime();
        f.whenComplete(
                (r, e) -> {
                    long wall = System.nanoTime() - sent;
                    finished(wall, wall, -1, -1, 0, null);
                });
        try {
            p.execute(f);
        } catch (RejectedExecutionException e) {
            f.cancel(false); // shutdownNow stopped the worker JVMs first
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
        boolean schedstat = measure && ThreadMeasures.HAS_SCHEDSTAT;
        // the measurements' own cost (a thread snapshot, a /proc read) comes before the CPU clock
        // starts
        long blocked0 = measure ? ThreadMeasures.blockedMillis(t) : 0;
        long delay0 = schedstat ? ThreadMeasures.runDelay() : 0;
        long gc0 = measure ? ThreadMeasures.gcPauseMillis() : 0;
        // only the early decision reads another thread's schedstat, and only before a probe's
        // first task has finished
        String own = schedstat && earlyPossible ? ThreadMeasures.ownSchedstat() : null;
        long cpu0 = measure ? ThreadMeasures.MX.getCurrentThreadCpuTime() : 0;
        long wall0 = System.nanoTime();
        RunningTask started =
                new RunningTask(t, wall0, measure ? cpu0 : -1, blocked0, gc0, own, delay0);
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
            long cpu = measure ? ThreadMeasures.MX.getCurrentThreadCpuTime() - cpu0 : -1;
            onThreads.remove(
                    f); // the reads below are not the task: the monitor's samples leave them out
            started.ended();
            long blocked = measure ? (ThreadMeasures.blockedMillis(t) - blocked0) * 1_000_000L : -1;
            // time the task could not run: waiting for a core, or stopped for a garbage collection
            // (a pause looks like waiting from the task's CPU time: tiny tasks that fill the heap
            // were taken for waiting ones)
            long delay =
                    measure
                            ? (schedstat ? Math.max(0, ThreadMeasures.runDelay() - delay0) : 0)
                                    + (ThreadMeasures.gcPauseMillis() - gc0) * 1_000_000L
                            : 0;
            // what these reads themselves waited (the thread snapshot waits out a collection; the
            // thread may lose its core) is in their figures, so it must be in the span they are set
            // against: with the span ending at the task's end, chunks of tiny tasks in a heap that
            // grew had "waited for a core" 20 ms in 1 ms
            long span = measure ? System.nanoTime() - wall0 : wall;
            Thread.interrupted(); // a cancel(true) or shutdownNow aimed at this task ends with it
            finished(wall, span, cpu, blocked, delay, started);
        }
    }

    private Backend processesLocked() {
        if (processes == null) {
            processes =
                    workerJvms.apply(
                            Sizing.threadsFor(
                                    Advice.Kind.COMPUTING_BEHIND_A_GLOBAL_LOCK,
                                    cores,
                                    1,
                                    0,
                                    bound));
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

    /**
     * A task handed to a lane that {@code shutdownNow} stopped before it began: its place is free.
     */
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
     * own time, {@code span} that and the time to measure it, which {@code cpu}, {@code blocked}
     * and {@code runDelay} are read over. {@code cpu} is -1 when not measured; {@code started} is
     * null for a task that did not run on a thread of this backend.
     */
    private void finished(
            long wall, long span, long cpu, long blocked, long runDelay, RunningTask started) {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            running--;
            if (cpu >= 0 && phase == Phase.PROBE) {
                earlyPossible = false; // a probed task has finished
                probe.count(wall, span, cpu, blocked, runDelay, started, limit);
            } else if (phase == Phase.WATCH && drift.add(wall)) {
                startProbeLocked();
            }
            dispatchLocked(after);
            maybeTerminateLocked(after);
        } finally {
            lock.unlock();
        }
        after.forEach(Runnable::run);
    }

    private void startProbeLocked() {
        phase = Phase.PROBE;
        earlyPossible = true;
        lane = Advice.Backend.PLATFORM_THREADS;
        limit = Math.min(bound, cores);
        probe.reset();
    }

    // ------------------------------------------------------------------ deciding

    /**
     * The monitor: every tick, while probing, sample the running tasks and decide if there is
     * enough to go on.
     */
    private void watch() {
        long tick = nextTickNanos();
        while (true) {
            LockSupport.parkNanos(tick); // a probe's first task unparks it
            if (Thread.currentThread().isInterrupted()) {
                return; // terminated
            }
            List<Runnable> after = new ArrayList<>();
            lock.lock();
            try {
                if (life.is(Lifecycle.State.TERMINATED)) {
                    return;
                }
                if (phase == Phase.PROBE && probe.running()) {
                    LiveProbe.sample(tick, onThreads.values());
                    LiveProbe.Verdict v =
                            probe.decide(
                                    System.nanoTime(), onThreads.values(), Math.min(bound, cores));
                    if (v != null) {
                        decideLocked(v, after);
                    }
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
            if (phase != Phase.PROBE || !probe.running()) {
                return IDLE_TICK_MILLIS * 1_000_000L;
            }
            long now = System.nanoTime();
            boolean early = !probe.anyFinished() && probe.age(now) < FAST_WINDOW_NANOS;
            return early
                    ? Math.clamp(
                            LiveProbe.untilEarlyPossible(now, onThreads.values()),
                            FAST_TICK_NANOS,
                            TICK_MILLIS * 1_000_000L)
                    : TICK_MILLIS * 1_000_000L;
        } finally {
            lock.unlock();
        }
    }

    private void decideLocked(LiveProbe.Verdict v, List<Runnable> after) {
        List<String> reasons = new ArrayList<>(List.of(v.figures()));
        Advice.Kind kind = v.kind();
        int size = Sizing.threadsFor(kind, cores, v.cpuShare(), v.waitShare(), bound);
        Advice.Backend next;
        switch (kind) {
            case WAITING -> {
                next = Advice.Backend.VIRTUAL_THREADS;
                reasons.add(
                        size == bound
                                ? "They mostly wait: run up to "
                                        + bound
                                        + " at once (the pool's bound) on virtual threads."
                                : String.format(
                                        Locale.ROOT,
                                        "They mostly wait: run up to %d at once on virtual threads"
                                                + " (%d cores × (1 + wait/compute %.1f)).",
                                        size,
                                        cores,
                                        v.waitShare() / Math.max(v.cpuShare(), 1e-4)));
            }
            case COMPUTING_BEHIND_A_GLOBAL_LOCK -> {
                String why = unsendable();
                if (why == null) {
                    next = Advice.Backend.PROCESSES;
                    reasons.add(
                            "They compute behind one lock, which serializes threads: run them on "
                                    + size
                                    + " worker JVMs, each with its own lock.");
                } else {
                    next = Advice.Backend.PLATFORM_THREADS;
                    size =
                            Sizing.threadsFor(
                                    Advice.Kind.COMPUTING,
                                    cores,
                                    v.cpuShare(),
                                    v.waitShare(),
                                    bound);
                    reasons.add(
                            "They compute behind one lock, but cannot be sent to worker JVMs ("
                                    + why
                                    + "): stay on "
                                    + size
                                    + " platform threads.");
                }
            }
            case MIXED -> {
                next = Advice.Backend.PLATFORM_THREADS;
                reasons.add(
                        String.format(
                                Locale.ROOT,
                                "They compute and wait (wait/compute %.2f): %d platform threads, so"
                                        + " that at least %d want a core %.0f%% of the time%s.",
                                v.waitShare() / Math.max(v.cpuShare(), 1e-4),
                                size,
                                cores,
                                100 * (1 - Sizing.IDLE_CHANCE),
                                size == bound ? " (the pool's bound)" : ""));
            }
            default -> {
                next = Advice.Backend.PLATFORM_THREADS;
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
        drift.reset();
        AutoPool.Decision d =
                new AutoPool.Decision(Instant.now(), kind, next, size, probe.counted(), reasons);
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
        } catch (IOException | RuntimeException e) {
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
        after.add(
                () -> {
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
        onThreads.values().forEach(RunningTask::stop);
        Backend p = startedProcesses();
        if (p != null) {
            never.addAll(p.shutdownNow()); // their futures are cancelled by the caller, which
            // frees their places
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
