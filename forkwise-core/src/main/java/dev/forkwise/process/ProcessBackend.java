package dev.forkwise.process;

import dev.forkwise.ProcessOptions;
import dev.forkwise.TaskFailedException;
import dev.forkwise.TaskTimeoutException;
import dev.forkwise.WorkerCrashedException;
import dev.forkwise.codec.Codec;
import dev.forkwise.codec.Message;
import dev.forkwise.codec.Transfer;
import dev.forkwise.engine.Backend;
import dev.forkwise.engine.Lifecycle;
import dev.forkwise.engine.TaskFuture;
import dev.forkwise.engine.Tasks;
import dev.forkwise.ipc.SharedMemory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool of worker JVMs that never breaks: the backend of {@link dev.forkwise.Pool#processes}.
 *
 * <h2>Implementation overview</h2>
 *
 * <p><b>One owner.</b> This class is the supervisor. All its state (the queue of waiting jobs, the
 * workers, what each worker runs, the lifecycle) is guarded by one lock. Work that can block
 * (writing a frame, decoding a result, starting a process's pumps) happens outside the lock: each
 * locked section collects what to do into a list of actions that runs after the lock is released.
 *
 * <p><b>A task's path.</b> {@link #execute} serializes the task on the caller's thread (so a task
 * that cannot be sent fails there, with the path to what is not serializable), gives it a request
 * id, and queues it; large arrays are copied only if the frame is not written before {@code
 * execute} returns ({@link Job}). {@link #assignLocked} hands queued jobs to ready workers with
 * spare threads, least loaded first; the frame is written outside the lock, and the job's time
 * limit starts then (on a worker that has not answered a task yet, once the worker says the task
 * starts: decoding the first task is still the JVM's start-up). A worker's reader thread gets the
 * reply, removes the job from that worker's in-flight table by id (a reply whose id is not there,
 * such as one for a job that timed out, is dropped: no stale answers) and completes the future.
 * Frames go over the worker's socket, and over shared memory once the worker has answered {@link
 * WorkerMain#LINK_AFTER} tasks ({@link Wire}, {@link ShmLink}).
 *
 * <p><b>Sending ahead.</b> A worker whose tasks are short is sent more than its threads (its {@link
 * #windowLocked window}), to wait in its own queue, topped up many to a write by the threads that
 * read replies. A queue held up by a task that runs far past the usual time is taken back: a worker
 * with tasks queued that has not replied for {@link #STALL_NANOS} is sent {@code RECALL}, hands
 * back the tasks that have not started ({@code RETURNED}), and takes nothing ahead until it replies
 * again; the tasks go back to the head of the queue and to workers with room.
 *
 * <p><b>Failures.</b> A worker's exit ({@link Process#onExit()}) is the one place where its
 * in-flight jobs are settled: each fails with {@link WorkerCrashedException} (exit code, signal
 * name, last stderr lines, and why forkwise killed it if it did), or is queued again if the pool's
 * tasks are declared idempotent and retries remain. Then a replacement starts. A job past its time
 * limit is completed with {@link TaskTimeoutException} first and then its worker's process tree is
 * killed, which settles the worker's other jobs as crashed. A worker that is not ready within
 * {@link ProcessOptions#startTimeout()} is killed ({@link #startTimedOut}). A worker that exits by
 * itself, crashes natively or is killed at its start timeout before it is ready counts as a start
 * failure (one killed by SIGKILL from outside does not): the next start waits a pause that doubles
 * with each failure in a row, the jobs waiting fail at once when no other worker is ready to take
 * them, and after three in a row the queued jobs fail with the last one's exit and output (a bad
 * JVM option, for example) instead of restarting forever; the next submit tries again. An
 * initializer that throws stops the pool from starting workers: queued and later tasks fail with
 * the initializer's exception. {@link #shutdownNow} interrupts the running tasks and kills the
 * workers of those still running {@link #SHUTDOWN_NOW_GRACE} later.
 *
 * <p><b>Start.</b> All workers start at once. (Starting them one by one on a 2-core machine took a
 * fifth off the first result but left the last worker booting through the pool's first big {@code
 * map}, which then took 1.6× as long: throughput right after creation wins.) A worker with no
 * initializer to run is ready as soon as it connects; with one, once it says {@code READY}. A pool
 * with {@link ProcessOptions#keepWarm()} first takes workers that an earlier pool with the same
 * launch settings left in the JVM's reserve ({@link WarmWorkers}): connected and ready, they take
 * tasks at once, and only the rest are started.
 *
 * <p><b>Owners.</b> A worker's frames (read on its own thread) and its exit go to its owner ({@link
 * Worker.Owner}): this pool, or the reserve while it is kept warm between pools.
 *
 * <p><b>Lifecycle</b> ({@link Lifecycle}). {@code NEW --start--> RUNNING --shutdown--> SHUTDOWN
 * --no jobs left, every worker exited or kept--> TERMINATED}. In {@code SHUTDOWN}, queued jobs
 * still run; when none is left, each worker is sent {@code STOP} (and killed if it has not exited 5
 * s later), or, with {@code keepWarm}, each idle and healthy one is handed to the reserve instead.
 *
 * <p>Memory consistency effects: actions in a task happen-before its result is read in the parent
 * (the reply frame is written after the task returns), and that happens-before the completion of
 * the task's future.
 */
public final class ProcessBackend implements Backend {

    private static final int START_FAILURES_TO_GIVE_UP = 3;

    /**
     * The pause before the first restart after a start failure; it doubles with each one in a row.
     */
    private static final long RESPAWN_PAUSE_MILLIS = 250;

    /**
     * How long a task that {@link #shutdownNow} interrupted has to stop before its worker is
     * killed.
     */
    static final Duration SHUTDOWN_NOW_GRACE = Duration.ofSeconds(1);

    /** An idle worker above this share of maxWorkerMemory is replaced before it fails a task. */
    private static final double RECYCLE_FRACTION = 0.75;

    /**
     * Most tasks a worker is sent beyond its threads, to wait in its own queue. With a reply for
     * every 250 µs of work at most, a worker of one thread is then topped up about 128 tasks to a
     * write: on 2 cores 32 left the parent's and the workers' threads waking for every 16 tasks,
     * which cost a quarter of the pipelined throughput.
     */
    static final int MAX_AHEAD = 256;

    /**
     * A worker whose queue has not moved for this long (no reply) is asked to hand back the tasks
     * that wait in it ({@link Wire#RECALL}), so one task that runs far past the usual time does not
     * hold the short ones sent ahead behind it.
     */
    static final long STALL_NANOS = 20_000_000;

    /** About how much work, in time, may wait in a worker's own queue. */
    private static final long AHEAD_NANOS = 250_000;

    /** A longer task counts as this much in a worker's time per task. */
    private static final long MAX_SERVICE_SAMPLE_NANOS = 10_000_000;

    private final ProcessOptions options;
    private final int threads;

    /** Whether tasks have a time limit ({@link ProcessOptions#taskTimeout()}). */
    private final boolean timed;

    /** {@link ProcessOptions#maxTasksPerWorker()}, or {@link Integer#MAX_VALUE}. */
    private final int maxTasksPerWorker;

    /** Whether {@link ProcessOptions#maxWorkerMemory()} is set. */
    private final boolean watchesMemory;

    /** Set, under the lock, once {@link #shutdown} or {@link #shutdownNow} is called. */
    private volatile boolean shutDown;

    private final Message initializer;

    /**
     * The codec of the last reply read, reused while replies come for tasks of the same class
     * loader.
     */
    private volatile Codec lastCodec;

    private final List<String> command;

    /** Whether the workers can load a task's classes, checked at submit. */
    private final ClassPaths.Check loadable;

    /** The launch settings a kept worker must share to join this pool ({@link WarmWorkers}). */
    private final WarmWorkers.Key warmKey;

    /** This pool as its workers' owner: their frames and exits come here. */
    private final Worker.Owner owner =
            new Worker.Owner() {
                @Override
                public void frame(Worker w, Wire.Frame f) throws IOException {
                    switch (f.type()) {
                        case Wire.READY -> ready(w);
                        case Wire.INIT_FAILED -> initializerFailed(w, f.message());
                        case Wire.OK, Wire.FAILED, Wire.UNSENDABLE, Wire.SKIPPED -> replied(w, f);
                        case Wire.STARTED -> started(w, f.id());
                        case Wire.RETURNED -> returned(w, f.id());
                        case Wire.ECHO -> Echo.answered(f.id());
                        default ->
                                throw new IOException(
                                        "unknown frame type " + f.type() + " from " + w);
                    }
                }

                @Override
                public void exited(Worker w) {
                    Worker.Owner now;
                    lock.lock();
                    try {
                        now = w.owner; // changed only under this lock while the worker was ours
                    } finally {
                        lock.unlock();
                    }
                    if (now != this) {
                        // kept warm since this exit was reported: the reserve accounts for it
                        now.exited(w);
                        return;
                    }
                    ProcessBackend.this.exited(w);
                }
            };

    private final AtomicLong requestIds = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();

    // guarded by lock
    private final Lifecycle life = new Lifecycle(lock, Lifecycle.State.NEW);
    private final ArrayDeque<Job> pending = new ArrayDeque<>();
    private final List<Worker> workers = new ArrayList<>();
    private int workerCount;
    private int startFailures;

    /**
     * No worker starts before this {@link System#nanoTime()} after a start failure (the back-off).
     */
    private long respawnNotBefore;

    private ScheduledFuture<?> respawn;
    private RuntimeException startFailure;
    private RuntimeException initializerFailure;
    private String poolName;
    private Channel channel;
    private ScheduledFuture<?> memoryWatch;

    /** The next look for stalled queues ({@link #checkStalls}), or null; guarded by lock. */
    private ScheduledFuture<?> stallCheck;

    /** {@link #shutdownNow} was called: nothing queued in a dead worker is sent again. */
    private boolean stoppedNow;

    /**
     * Creates the backend; the initializer, if any, is checked for transferability now.
     *
     * @param options the pool's options
     * @param threadsPerWorkerOverride threads per worker, or -1 for the options' value
     */
    public ProcessBackend(ProcessOptions options, int threadsPerWorkerOverride) {
        this(
                options,
                threadsPerWorkerOverride,
                Aot.workerCommand(options, ClassPaths.contextLoader()));
    }

    /**
     * Makes sure the JDK's AOT cache for workers with {@code options} exists, training it now if
     * needed (a few seconds, once per worker command) rather than in the background at the first
     * pool: for benchmarks and for deployments that want their first pool fast.
     *
     * @param options the options of the pools to come
     * @return the cache, or empty when there is none (turned off with {@code -Dforkwise.aot=off},
     *     or the class path does not begin with a jar)
     * @throws java.io.IOException if the cache folder cannot be written
     * @throws InterruptedException if interrupted while the training runs
     */
    public static Optional<Path> prepareAotCache(ProcessOptions options)
            throws IOException, InterruptedException {
        Path folder = Aot.defaultFolder();
        if (folder == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(Aot.train(Launch.command(options), folder));
    }

    /** A backend whose workers start with exactly {@code command}. */
    ProcessBackend(ProcessOptions options, int threadsPerWorkerOverride, List<String> command) {
        this.options = options;
        this.threads =
                threadsPerWorkerOverride >= 0
                        ? threadsPerWorkerOverride
                        : options.threadsPerWorker();
        this.timed = options.taskTimeout().isPresent();
        this.maxTasksPerWorker = options.maxTasksPerWorker().orElse(Integer.MAX_VALUE);
        this.watchesMemory = options.maxWorkerMemory().isPresent();
        Object init = options.initializer().orElse(null);
        this.initializer = init == null ? Message.EMPTY : Transfer.encode("the initializer", init);
        this.command = List.copyOf(command);
        this.loadable = ClassPaths.Check.of(options, this.command);
        this.warmKey = WarmWorkers.Key.of(this.command, options, threads, initializer);
    }

    /**
     * Creates the backend.
     *
     * @param options the pool's options
     */
    public ProcessBackend(ProcessOptions options) {
        this(options, -1);
    }

    @Override
    public String kind() {
        return threads == 1
                ? "processes(" + options.workers() + ")"
                : "processes(" + options.workers() + "×" + threads + ")";
    }

    @Override
    public int parallelism() {
        return options.workers() * threads;
    }

    @Override
    public void start(String poolName) {
        Channel ch = Channel.open(poolName.replaceAll("[^A-Za-z0-9()#×-]", ""));
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            this.poolName = poolName;
            this.channel = ch;
            life.advance(Lifecycle.State.RUNNING);
            replenishLocked(after);
        } finally {
            lock.unlock();
        }
        run(after);
        options.maxWorkerMemory()
                .ifPresent(
                        max ->
                                memoryWatch =
                                        Timers.every(
                                                () -> watchMemory(max),
                                                250,
                                                TimeUnit.MILLISECONDS));
    }

    // ------------------------------------------------------------------ submit

    @Override
    public void execute(TaskFuture<?> task) {
        loadable.check(task::description, task.task());
        Message payload = Transfer.encodeNumbered(task::description, task.task(), false);
        Job job =
                new Job(
                        requestIds.incrementAndGet(),
                        task,
                        payload,
                        task.task().getClass().getClassLoader());
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            if (!life.is(Lifecycle.State.RUNNING)) {
                throw new RejectedExecutionException("the process pool is shut down");
            }
            if (initializerFailure != null) {
                task.completeExceptionally(initializerFailure);
                return;
            }
            if (startFailure != null) {
                startFailure = null; // a new task: try starting workers again
                startFailures = 0;
                respawnNotBefore = 0;
            }
            pending.addLast(job);
            replenishLocked(after);
            assignLocked(after, false);
        } finally {
            lock.unlock();
        }
        task.onCancel(() -> cancelled(job));
        run(after);
        job.settle(options.idempotentRetries() > 0); // the caller may change its arrays from now on
    }

    /**
     * Hands queued jobs to ready workers with room, least loaded first. A worker has room for
     * {@link #windowLocked its window} of jobs: its threads, and, for tasks short enough, a few
     * more that wait in its own queue; jobs for one worker go out in one write.
     */
    private void assignLocked(List<Runnable> after) {
        assignLocked(after, true);
    }

    /**
     * Like {@link #assignLocked(List)}; without {@code ahead}, only to workers with a free thread.
     * A submit assigns so (a lone task starts at once); sending ahead is left to the threads that
     * read replies, which then top a worker up many jobs to a write, and the submitting thread only
     * queues.
     */
    private void assignLocked(List<Runnable> after, boolean ahead) {
        Map<Worker, List<Job>> batches = null;
        while (!pending.isEmpty()) {
            Job job = pending.peekFirst();
            if (job.future.isDone()) {
                pending.pollFirst(); // cancelled while queued: never runs
                continue;
            }
            Worker best = null;
            for (Worker w : workers) {
                if (w.state == Worker.State.READY
                        && (ahead ? hasRoomLocked(w, job, batches) : w.inflight.size() < threads)
                        && (best == null || w.inflight.size() < best.inflight.size())) {
                    best = w;
                }
            }
            if (best == null) {
                break;
            }
            pending.pollFirst();
            job.worker = best;
            boolean cold = best.tasksDone == 0;
            if (best.inflight.size() >= threads) { // sent ahead: it waits in the worker's queue
                if (best.inflight.size() == threads) {
                    best.progressNanos = System.nanoTime(); // the queue starts now
                }
                armStallCheckLocked();
            }
            best.inflight.put(job.id, job);
            Worker w = best;
            if (job.large || timed) {
                after.add(() -> send(w, job, cold));
            } else {
                if (batches == null) {
                    batches = new IdentityHashMap<>();
                }
                batches.computeIfAbsent(w, x -> new ArrayList<>()).add(job);
            }
        }
        if (batches != null) {
            batches.forEach((w, jobs) -> after.add(() -> sendAll(w, jobs)));
        }
    }

    /**
     * Whether {@code job} may go to {@code w} now. A worker with a free thread always has room; one
     * whose threads are busy takes jobs ahead only up to its {@link #windowLocked window}, and is
     * topped up only once half of that is free (or while it is being topped up in this call): so
     * jobs sent ahead go out many to a write, not one per reply.
     */
    private boolean hasRoomLocked(Worker w, Job job, Map<Worker, List<Job>> batches) {
        int n = w.inflight.size();
        if (n < threads) {
            return true;
        }
        if (job.large || w.recalling) {
            return false; // a stalled worker takes nothing ahead until it answers again
        }
        int window = windowLocked(w);
        return n < window && (n <= window / 2 || (batches != null && batches.containsKey(w)));
    }

    /**
     * How many jobs {@code w} may have in flight: its threads, plus, when tasks are timed by
     * nothing and its tasks have been short, as many as make about {@link #AHEAD_NANOS} of work (at
     * most {@link #MAX_AHEAD}); never more than it has left before it is recycled. Jobs that wait
     * in a worker's queue start in the order they were sent, so when a worker dies only the first
     * {@code threads} of its unanswered jobs can have started ({@link #exited}).
     */
    private int windowLocked(Worker w) {
        int window = threads;
        if (w.serviceNanos > 0 && !timed) {
            window += (int) Math.min(MAX_AHEAD, AHEAD_NANOS / w.serviceNanos);
        }
        return Math.min(window, maxTasksPerWorker - w.tasksDone);
    }

    /** Writes the frames of jobs that go to {@code w} together (untimed, no large arrays). */
    private void sendAll(Worker w, List<Job> jobs) {
        for (Job j : jobs) {
            j.future.started(w.label);
        }
        try {
            Job.sendAll(w.wire, jobs);
        } catch (IOException e) {
            w.killTree(); // the channel broke: the worker's exit settles these jobs
        }
    }

    /**
     * Writes a job's frame. Its time limit counts from now, except on a worker that has not
     * answered a task yet: there decoding the first task is still the JVM's start-up (class
     * loading), so the worker is asked to say when the task starts ({@link Wire#TASK_SAY_START})
     * and the limit counts from then ({@link #started}).
     */
    private void send(Worker w, Job job, boolean cold) {
        job.future.started(w.label);
        try {
            job.sendOn(w.wire, timed && cold ? Wire.TASK_SAY_START : Wire.TASK);
        } catch (IOException e) {
            w.killTree(); // the channel broke: the worker's exit settles this job
            return;
        }
        if (timed && !cold) {
            startTimeLimit(w, job);
        }
    }

    private void startTimeLimit(Worker w, Job job) {
        Duration limit = options.taskTimeout().orElseThrow();
        job.timeout =
                Timers.schedule(
                        () -> timedOut(w, job, limit), limit.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** A cold worker says that {@code id} starts now: its time limit starts. */
    private void started(Worker w, long id) {
        Job job;
        lock.lock();
        try {
            job = w.inflight.get(id);
        } finally {
            lock.unlock();
        }
        if (job != null && timed) {
            startTimeLimit(w, job);
        }
    }

    /**
     * A task that waited in {@code w}'s queue came back not started, after a {@code RECALL}: it
     * goes back to the head of the queue (the worker hands them back last first, so their order
     * holds) and to whichever worker has room.
     */
    private void returned(Worker w, long id) {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            Job job = w.inflight.remove(id);
            if (job == null) {
                return;
            }
            job.worker = null;
            pending.addFirst(job);
            assignLocked(after);
        } finally {
            lock.unlock();
        }
        run(after);
    }

    /** Makes sure a look for stalled queues is due within {@link #STALL_NANOS}. */
    private void armStallCheckLocked() {
        if (stallCheck == null) {
            stallCheck = Timers.schedule(this::checkStalls, STALL_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Asks every worker whose queue has not moved for {@link #STALL_NANOS} to hand back what waits
     * in it; looks again when the next queue could stall.
     */
    private void checkStalls() {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            stallCheck = null;
            long now = System.nanoTime();
            long next = Long.MAX_VALUE;
            for (Worker w : workers) {
                if (w.state != Worker.State.READY || w.inflight.size() <= threads || w.recalling) {
                    continue;
                }
                long due = w.progressNanos + STALL_NANOS;
                if (now - due >= 0) {
                    w.recalling = true; // until its next reply
                    // written on a thread of its own: a full channel must not hold the timer
                    after.add(
                            () ->
                                    Daemons.start(
                                            "forkwise-recall",
                                            () -> sendQuietly(w, Wire.RECALL, 0)));
                } else {
                    next = Math.min(next, due - now);
                }
            }
            if (next != Long.MAX_VALUE && !life.is(Lifecycle.State.TERMINATED)) {
                stallCheck = Timers.schedule(this::checkStalls, next, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
        run(after);
    }

    private void cancelled(Job job) {
        Worker w;
        lock.lock();
        try {
            pending.remove(job);
            w = job.worker;
            if (w == null || w.inflight.get(job.id) != job || !job.future.interruptRequested()) {
                return;
            }
        } finally {
            lock.unlock();
        }
        sendQuietly(w, Wire.CANCEL, job.id);
    }

    private static void sendQuietly(Worker w, byte type, long id) {
        try {
            w.wire.send(type, id, new byte[0]);
        } catch (IOException e) {
            w.killTree();
        }
    }

    // ------------------------------------------------------------------ workers

    /** Starts workers until the pool has its number of live, not retiring ones. */
    private void replenishLocked(List<Runnable> after) {
        if (initializerFailure != null
                || startFailure != null
                || life.is(Lifecycle.State.TERMINATED)) {
            return;
        }
        int live = 0; // a loop, not a stream: this runs at every submit
        for (Worker w : workers) {
            if (w.state == Worker.State.STARTING || w.state == Worker.State.READY) {
                live++;
            }
        }
        if (live >= options.workers()
                || (life.is(Lifecycle.State.SHUTDOWN)
                        && pending.stream().allMatch(j -> j.future.isDone()))) {
            return;
        }
        long wait = respawnNotBefore - System.nanoTime();
        if (startFailures > 0 && wait > 0) {
            if (respawn == null) {
                Log.warning(
                        "pool %s starts its next worker in %d ms, after %d start failure(s) in a"
                                + " row",
                        poolName, TimeUnit.NANOSECONDS.toMillis(wait), startFailures);
                respawn = Timers.schedule(this::respawnDue, wait, TimeUnit.NANOSECONDS);
            }
            return;
        }
        for (long i = live; i < options.workers(); i++) {
            spawnLocked(after);
        }
    }

    /** The back-off after a start failure has passed: start the workers the pool lacks. */
    private void respawnDue() {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            respawn = null;
            replenishLocked(after);
        } finally {
            lock.unlock();
        }
        run(after);
    }

    /**
     * {@code w} has not become ready within the start timeout: it is killed, and its exit counts as
     * a start failure ({@link #exited}).
     */
    private void startTimedOut(Worker w) {
        lock.lock();
        try {
            if (w.state != Worker.State.STARTING || w.owner != owner) {
                return;
            }
            w.neverStarted = true;
            // replaced once its exit is accounted for, after the back-off
            w.state = Worker.State.RETIRING;
            w.killReason =
                    "forkwise killed it because it never started: it was not ready within the start"
                            + " timeout of "
                            + Durations.format(options.startTimeout())
                            + " (ProcessOptions.startTimeout)";
        } finally {
            lock.unlock();
        }
        w.killTree();
    }

    private void spawnLocked(List<Runnable> after) {
        String name = "worker " + ++workerCount + " of " + poolName;
        if (options.keepWarm().isPresent()) {
            Worker kept =
                    WarmWorkers.RESERVE.take(
                            warmKey, options.maxTasksPerWorker().orElse(Integer.MAX_VALUE), owner);
            if (kept != null) {
                // connected, and past its initializer if the pool has one (the same one: it is in
                // the key)
                kept.rename(name);
                workers.add(kept);
                startFailures = 0;
                Events.workerStarted(poolName, kept.pid, 0, true);
                return;
            }
        }
        Worker[] box = new Worker[1];
        String token = channel.expect(wire -> connected(box[0], wire));
        Worker w;
        try {
            w = Worker.launch(name, command, options, channel, token, threads);
        } catch (IOException e) {
            channel.forget(token);
            startFailures++;
            RuntimeException why =
                    new RejectedExecutionException(
                            "cannot start a worker JVM with "
                                    + command.getFirst()
                                    + ": "
                                    + e.getMessage(),
                            e);
            giveUpStartingLocked(why, after);
            return;
        }
        box[0] = w;
        w.owner = owner;
        workers.add(w);
        w.startTimer =
                Timers.schedule(
                        () -> startTimedOut(w),
                        options.startTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
        w.reportExit();
    }

    private void connected(Worker w, Wire wire) {
        lock.lock();
        try {
            if (w.state == Worker.State.DEAD) {
                wire.close();
                return;
            }
            w.wire = wire;
        } finally {
            lock.unlock();
        }
        w.startReading();
        if (initializer.length() == 0) {
            ready(w); // nothing can fail before its first task: no INIT round trip
        } else {
            try {
                wire.send(Wire.INIT, 0, initializer);
            } catch (IOException e) {
                w.killTree();
            }
        }
    }

    private void ready(Worker w) {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            if (w.state == Worker.State.STARTING) {
                w.state = Worker.State.READY;
                w.everReady = true;
                if (w.startTimer != null) {
                    w.startTimer.cancel(false);
                }
                startFailures = 0;
                respawnNotBefore = 0;
                Events.workerStarted(poolName, w.pid, System.nanoTime() - w.startNanos, false);
                Log.debug(
                        "worker pid %d of pool %s ready in %d ms",
                        w.pid, poolName, (System.nanoTime() - w.startNanos) / 1_000_000);
            }
            assignLocked(after);
            finishIfDoneLocked(after);
        } finally {
            lock.unlock();
        }
        run(after);
    }

    private void initializerFailed(Worker w, Message payload) {
        Throwable cause =
                new Codec(options.allowedClasses().orElse(null), null, Tasks.FACTORY)
                        .decodeThrowable(payload);
        List<Runnable> after = new ArrayList<>();
        List<Job> failed;
        TaskFailedException why;
        lock.lock();
        try {
            why =
                    new TaskFailedException(
                            "the initializer of pool " + poolName + " (in " + w + ")", cause);
            initializerFailure = why;
            failed = new ArrayList<>(pending);
            pending.clear();
            for (Worker other : workers) {
                stopLocked(other, after);
            }
            finishIfDoneLocked(after);
        } finally {
            lock.unlock();
        }
        failed.forEach(j -> j.future.completeExceptionally(why));
        run(after);
    }

    private void replied(Worker w, Wire.Frame f) {
        Job job;
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            job = w.inflight.remove(f.id());
            if (job == null) {
                return; // not a request this worker runs (anymore): a stale reply is dropped
            }
            w.tasksDone++;
            w.progressNanos = System.nanoTime();
            w.recalling = false;
            // the worker's own time for the task, not the channel's: a slow channel (a socket, a
            // busy machine) must not be taken for slow tasks, or the window would shrink just when
            // more in flight is what covers the latency
            long sample = Math.min(Math.max(1, f.micros()) * 1_000L, MAX_SERVICE_SAMPLE_NANOS);
            w.serviceNanos =
                    w.serviceNanos == 0 ? sample : w.serviceNanos + (sample - w.serviceNanos) / 8;
            if (w.tasksDone >= maxTasksPerWorker) {
                retireLocked(w, after);
            }
            if (!watchesMemory) {
                nextJobsLocked(w, after);
            }
        } finally {
            lock.unlock();
        }
        if (job.timeout != null) {
            job.timeout.cancel(false);
        }
        if (watchesMemory) {
            // before the future completes, so the caller's next task cannot land on a worker past
            // its limit
            checkMemory(w, options.maxWorkerMemory().getAsLong());
            lock.lock();
            try {
                nextJobsLocked(w, after);
            } finally {
                lock.unlock();
            }
        }
        // the worker's next jobs go out before this reply is decoded: the worker computes while
        // the parent decodes (a map's chunks otherwise leave each worker idle for a decode each)
        run(after);
        complete(w, job, f);
        if (shutDown) { // a pool still running has nothing to finish: no third turn of the lock
            after.clear();
            lock.lock();
            try {
                finishIfDoneLocked(after);
            } finally {
                lock.unlock();
            }
            run(after);
        }
    }

    /** After a reply from {@code w}: stops it if it is retiring and idle, and hands out jobs. */
    private void nextJobsLocked(Worker w, List<Runnable> after) {
        if (w.state == Worker.State.RETIRING && w.inflight.isEmpty()) {
            stopLocked(w, after);
        }
        assignLocked(after);
    }

    private void complete(Worker w, Job job, Wire.Frame f) {
        Codec codec = lastCodec;
        if (codec == null || codec.loader() != job.loader) {
            codec = new Codec(options.allowedClasses().orElse(null), job.loader, Tasks.FACTORY);
            lastCodec = codec;
        }
        switch (f.type()) {
            case Wire.OK -> {
                Object value;
                try {
                    value =
                            job.packable
                                    ? codec.decodeResults(f.message())
                                    : codec.decode(f.message());
                } catch (IOException | ClassNotFoundException | RuntimeException e) {
                    job.future.completeExceptionally(
                            new TaskFailedException(
                                    job.description()
                                            + " (its result could not be read in the parent)",
                                    e));
                    return;
                }
                @SuppressWarnings("unchecked")
                TaskFuture<Object> fut = (TaskFuture<Object>) job.future;
                fut.completeRemotely(value);
            }
            case Wire.FAILED -> {
                job.future.failRemotely(codec.decodeThrowable(f.message()));
            }
            case Wire.SKIPPED -> job.future.cancel(false); // cancelled before it started
            default -> {
                job.future.completeExceptionally(
                        Transfer.resultNotSent(
                                job.description(), codec.decodeThrowable(f.message())));
            }
        }
    }

    private void timedOut(Worker w, Job job, Duration limit) {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            if (w.inflight.get(job.id) != job) {
                return;
            }
            w.inflight.remove(job.id);
            w.killReason =
                    "forkwise killed it because "
                            + job.description()
                            + " ran past its time limit of "
                            + limit;
            doomLocked(w, after);
        } finally {
            lock.unlock();
        }
        run(after);
        job.future.completeExceptionally(new TaskTimeoutException(job.description(), limit));
        w.killTree();
    }

    /** The one place where a worker's end is accounted for. */
    private void exited(Worker w) {
        List<String> lines = w.lastLines();
        int code = w.exitCode();
        String signal = w.signal();
        List<Runnable> after = new ArrayList<>();
        List<Job> lost = new ArrayList<>();
        List<Job> neverRan = List.of();
        String reason;
        WorkerCrashedException noStart = null;
        boolean crashed;
        boolean replaced;
        lock.lock();
        try {
            channel.forget(w.token);
            if (w.startTimer != null) {
                w.startTimer.cancel(false);
            }
            boolean wasReady = w.everReady;
            w.state = Worker.State.DEAD;
            workers.remove(w);
            reason = w.killReason;
            crashed = !w.stopRequested || !w.inflight.isEmpty();
            int together = Math.min(threads, w.inflight.size());
            if (together > 1) {
                reason =
                        (reason == null ? "" : reason + "; ")
                                + "it was running "
                                + together
                                + " tasks at once (threadsPerWorker "
                                + threads
                                + "), and forkwise cannot tell"
                                + " which of them ended it, so all "
                                + together
                                + " fail (with idempotentRetries they run again)";
            }
            // jobs in a worker start in the order they were sent, at most `threads` at a time: of
            // its unanswered jobs only the first `threads` can have started; the others never ran
            // and go back to the front of the queue as they were
            List<Job> again = new ArrayList<>();
            int position = 0;
            for (Job j : w.inflight.values()) {
                boolean mayHaveStarted = position++ < threads;
                if (j.timeout != null) {
                    j.timeout.cancel(false);
                }
                if (j.future.isDone()) {
                    continue;
                }
                if (!mayHaveStarted) {
                    if (stoppedNow) {
                        j.future.cancel(false); // shutdownNow: it never starts
                    } else {
                        j.worker = null;
                        again.add(j);
                    }
                } else if (j.attempts < options.idempotentRetries()
                        && life.is(Lifecycle.State.RUNNING)) {
                    j.attempts++;
                    j.worker = null;
                    again.add(j);
                } else {
                    lost.add(j);
                }
            }
            w.inflight.clear();
            for (int i = again.size() - 1; i >= 0; i--) {
                pending.addFirst(again.get(i));
            }
            if (!wasReady && !w.stopRequested && startFailedLocked(w, signal)) {
                startFailures++;
                respawnNotBefore =
                        System.nanoTime()
                                + TimeUnit.MILLISECONDS.toNanos(
                                        RESPAWN_PAUSE_MILLIS << Math.min(startFailures - 1, 6));
                String what =
                        "the start of a worker JVM ("
                                + String.join(" ", Launch.LEAN_FLAGS)
                                + " "
                                + String.join(" ", options.jvmOptions())
                                + ")";
                Log.warning(
                        "worker pid %d of pool %s failed to start (%d in a row): exit code %d%s;"
                                + " %s",
                        w.pid,
                        poolName,
                        startFailures,
                        code,
                        signal == null ? "" : ", " + signal,
                        reason == null ? "no reason given" : reason);
                if (startFailures >= START_FAILURES_TO_GIVE_UP) {
                    Log.error(
                            "pool %s gives up starting workers after %d failures in a row; the next"
                                    + " submit tries again",
                            poolName, startFailures);
                    giveUpStartingLocked(
                            new WorkerCrashedException(
                                    what,
                                    w.pid,
                                    code,
                                    signal,
                                    lines,
                                    (reason == null ? "" : reason + "; ")
                                            + START_FAILURES_TO_GIVE_UP
                                            + " workers in a row failed to start; the pool tries"
                                            + " again at the next submit"),
                            after);
                } else if (w.neverStarted
                        && workers.stream().noneMatch(x -> x.state == Worker.State.READY)) {
                    // no worker can run what waits: fail it now rather than after every retry's
                    // timeout
                    neverRan = new ArrayList<>(pending);
                    pending.clear();
                    noStart = new WorkerCrashedException(what, w.pid, code, signal, lines, reason);
                }
            }
            replenishLocked(after);
            assignLocked(after);
            finishIfDoneLocked(after);
            replaced = life.is(Lifecycle.State.RUNNING) && startFailure == null;
        } finally {
            lock.unlock();
        }
        for (Job j : lost) {
            j.future.completeExceptionally(
                    new WorkerCrashedException(
                            j.description(), w.pid, code, signal, lines, reason));
        }
        for (Job j : neverRan) {
            j.future.completeExceptionally(
                    new WorkerCrashedException(
                            j.description(), w.pid, code, signal, lines, noStart.getMessage()));
        }
        String why =
                reason != null
                        ? reason
                        : !crashed
                                ? "the pool stopped it (shut down, recycled or kept no longer)"
                                : signal != null
                                        ? "killed by " + signal + " from outside forkwise"
                                        : "it exited by itself with code " + code;
        Events.workerExited(poolName, w.pid, code, signal, crashed, why);
        if (crashed) {
            Log.warning(
                    "worker pid %d of pool %s died (exit code %d%s): %s; %d task(s) lost%s",
                    w.pid,
                    poolName,
                    code,
                    signal == null ? "" : ", " + signal,
                    why,
                    lost.size() + neverRan.size(),
                    replaced ? ", a replacement starts" : "");
        } else {
            Log.debug("worker pid %d of pool %s stopped: %s", w.pid, poolName, why);
        }
        run(after);
    }

    /**
     * Whether a worker that died before it was ready failed to start, and so counts towards the
     * back-off and giving up: it exited by itself (a bad JVM option, a missing class), crashed
     * natively (an initializer that aborts), or forkwise killed it at its start timeout. One killed
     * by SIGKILL, SIGTERM or SIGINT from outside did not fail, and is simply replaced.
     */
    private static boolean startFailedLocked(Worker w, String signal) {
        return w.neverStarted || signal == null || Signals.isCrash(signal);
    }

    private void giveUpStartingLocked(RuntimeException why, List<Runnable> after) {
        startFailure = why;
        List<Job> failed = new ArrayList<>(pending);
        pending.clear();
        after.add(() -> failed.forEach(j -> j.future.completeExceptionally(why)));
    }

    /** {@code w} is about to be killed: no new jobs for it, and its replacement starts now. */
    private void doomLocked(Worker w, List<Runnable> after) {
        if (w.state != Worker.State.DEAD) {
            w.state = Worker.State.RETIRING;
            replenishLocked(after);
        }
    }

    /** No new jobs for {@code w}; it stops when idle and a fresh worker replaces it. */
    private void retireLocked(Worker w, List<Runnable> after) {
        if (w.state == Worker.State.READY || w.state == Worker.State.STARTING) {
            w.state = Worker.State.RETIRING;
            replenishLocked(after);
        }
    }

    private void stopLocked(Worker w, List<Runnable> after) {
        if (w.state == Worker.State.DEAD || w.stopRequested) {
            return;
        }
        w.stopRequested = true;
        w.state = Worker.State.RETIRING;
        Wire wire = w.wire;
        if (wire == null) {
            after.add(w::killTree); // still starting: nothing to finish
            return;
        }
        after.add(w::stop);
    }

    private void watchMemory(long max) {
        List<Worker> snapshot;
        lock.lock();
        try {
            snapshot = List.copyOf(workers);
        } finally {
            lock.unlock();
        }
        snapshot.forEach(w -> checkMemory(w, max));
    }

    private void checkMemory(Worker w, long max) {
        long rss = Memory.residentBytes(w.pid);
        if (rss <= max * RECYCLE_FRACTION) {
            return;
        }
        List<Runnable> after = new ArrayList<>();
        boolean kill = false;
        lock.lock();
        try {
            if (w.state == Worker.State.DEAD || w.stopRequested || w.killReason != null) {
                return;
            }
            if (w.inflight.isEmpty()) {
                retireLocked(w, after);
                stopLocked(w, after);
            } else if (rss > max) {
                w.killReason =
                        "forkwise killed it because its resident memory, "
                                + Memory.mib(rss)
                                + ", passed maxWorkerMemory "
                                + Memory.mib(max);
                doomLocked(w, after);
                kill = true;
            }
        } finally {
            lock.unlock();
        }
        if (kill) {
            w.killTree();
        }
        run(after);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void shutdown() {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            life.advance(Lifecycle.State.SHUTDOWN);
            shutDown = true;
            finishIfDoneLocked(after);
        } finally {
            lock.unlock();
        }
        run(after);
    }

    @Override
    public List<TaskFuture<?>> shutdownNow() {
        List<Runnable> after = new ArrayList<>();
        List<TaskFuture<?>> never = new ArrayList<>();
        lock.lock();
        try {
            life.advance(Lifecycle.State.SHUTDOWN);
            shutDown = true;
            stoppedNow = true;
            for (Job j : pending) {
                if (!j.future.isDone()) {
                    never.add(j.future);
                }
            }
            pending.clear();
            boolean running = false;
            for (Worker w : workers) {
                for (Job j : w.inflight.values()) {
                    after.add(() -> sendQuietly(w, Wire.CANCEL, j.id));
                    running = true;
                }
            }
            if (running) {
                Timers.schedule(
                        this::killStillRunning, SHUTDOWN_NOW_GRACE.toNanos(), TimeUnit.NANOSECONDS);
            }
            finishIfDoneLocked(after);
        } finally {
            lock.unlock();
        }
        run(after);
        return never;
    }

    /**
     * {@link #SHUTDOWN_NOW_GRACE} after {@link #shutdownNow}: kills the workers whose tasks ignored
     * the interrupt (a loop that never checks it, a blocking call that cannot be interrupted), so
     * their futures fail with {@link WorkerCrashedException} and the pool terminates, as Python's
     * {@code terminate_workers()} does.
     */
    private void killStillRunning() {
        List<Worker> doomed = new ArrayList<>();
        lock.lock();
        try {
            for (Worker w : workers) {
                if (!w.inflight.isEmpty() && w.state != Worker.State.DEAD && w.owner == owner) {
                    w.killReason =
                            "forkwise killed it because shutdownNow() interrupted its task, which"
                                    + " had not stopped "
                                    + Durations.format(SHUTDOWN_NOW_GRACE)
                                    + " later";
                    w.state = Worker.State.RETIRING;
                    doomed.add(w);
                }
            }
        } finally {
            lock.unlock();
        }
        doomed.forEach(Worker::killTree);
    }

    /** In SHUTDOWN with no work left: stops the workers; with no workers left: terminates. */
    private void finishIfDoneLocked(List<Runnable> after) {
        if (!life.is(Lifecycle.State.SHUTDOWN)) {
            return;
        }
        pending.removeIf(j -> j.future.isDone());
        if (!pending.isEmpty() && initializerFailure == null && startFailure == null) {
            return;
        }
        for (Worker w : workers) {
            if (!w.inflight.isEmpty()) {
                return;
            }
        }
        for (Iterator<Worker> it = workers.iterator(); it.hasNext(); ) {
            Worker w = it.next();
            if (keepableLocked(w)
                    && WarmWorkers.RESERVE.keep(
                            warmKey, w, options.keepWarm().orElseThrow(), options.workers())) {
                it.remove(); // the reserve owns it now
            } else {
                stopLocked(w, after);
            }
        }
        if (workers.isEmpty()) {
            // before TERMINATED: a program that exits once close() returns leaves no socket folder
            channel.close();
            life.advance(Lifecycle.State.TERMINATED);
            // shared memory the workers created and did not close (a killed worker cannot)
            after.add(SharedMemory::sweep);
            if (memoryWatch != null) {
                memoryWatch.cancel(false);
            }
            if (stallCheck != null) {
                stallCheck.cancel(false);
            }
        }
    }

    /** Whether {@code w} can be kept warm for a later pool now that this one is done. */
    private boolean keepableLocked(Worker w) {
        return options.keepWarm().isPresent()
                && initializerFailure == null
                && w.state == Worker.State.READY
                && w.wire != null
                && w.inflight.isEmpty()
                && !w.stopRequested
                && w.killReason == null
                && w.process.isAlive();
    }

    @Override
    public int workersAlive() {
        lock.lock();
        try {
            return (int)
                    workers.stream()
                            .filter(
                                    w ->
                                            w.state == Worker.State.STARTING
                                                    || w.state == Worker.State.READY)
                            .count();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long workersRestarted() {
        lock.lock();
        try {
            return Math.max(0, workerCount - options.workers());
        } finally {
            lock.unlock();
        }
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

    /**
     * Returns the pids of the live workers, for tests and tools.
     *
     * @return the pids, in start order
     */
    public List<Long> workerPids() {
        lock.lock();
        try {
            return workers.stream()
                    .filter(w -> w.state != Worker.State.DEAD)
                    .map(w -> w.pid)
                    .toList();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends {@code payload} to a ready worker and waits for it to come back, without a task: the
     * raw round trip of the channel, which the benchmarks compare a task's round trip with.
     *
     * @param payload the bytes to send
     * @throws java.io.IOException if the channel fails
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if no worker is ready
     */
    public void echo(byte[] payload) throws IOException, InterruptedException {
        Worker w;
        lock.lock();
        try {
            w =
                    workers.stream()
                            .filter(x -> x.state == Worker.State.READY)
                            .findFirst()
                            .orElseThrow(() -> new IllegalStateException("no worker is ready"));
        } finally {
            lock.unlock();
        }
        CompletableFuture<Void> back = new CompletableFuture<>();
        long id = Echo.expect(back);
        try {
            w.wire.send(Wire.ECHO, id, payload);
            back.get();
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        } finally {
            Echo.forget(id);
        }
    }

    /**
     * Whether every ready worker's channel has switched to shared memory ({@link Wire}), which a
     * worker asks for once it has answered {@link WorkerMain#LINK_AFTER} tasks; for benchmarks that
     * compare a task with the raw channel.
     *
     * @return true if at least one worker is ready and all ready workers are linked
     */
    public boolean linked() {
        lock.lock();
        try {
            List<Worker> ready =
                    workers.stream().filter(x -> x.state == Worker.State.READY).toList();
            return !ready.isEmpty()
                    && ready.stream().allMatch(x -> x.wire != null && x.wire.linked());
        } finally {
            lock.unlock();
        }
    }

    /**
     * @return how many tasks a worker answers before it asks for a shared-memory link
     */
    public static int linkAfter() {
        return WorkerMain.LINK_AFTER;
    }

    private static void run(List<Runnable> actions) {
        for (Runnable r : actions) {
            r.run();
        }
    }
}
