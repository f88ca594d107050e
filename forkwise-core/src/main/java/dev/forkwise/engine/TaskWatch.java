package dev.forkwise.engine;

import dev.forkwise.Pool;
import dev.forkwise.TaskTimeoutException;
import dev.forkwise.WorkerCrashedException;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a pool knows about its tasks, on every backend: counters for {@link Pool#stats()} and the
 * JFR event {@code dev.forkwise.Task}, a span from the task's start to its end.
 *
 * <p>A task is what the backend runs: a {@code submit}, or one chunk of a {@code map}. Each {@link
 * TaskFuture} reports to its pool's watch twice at most, once when it starts (on the thread that
 * runs it, or the one that sends it to a worker JVM) and once when it ends, however it ends; a task
 * cancelled before it started ends without starting. The counters are {@link LongAdder}s, so
 * counting costs a few nanoseconds and no lock; the event is created only while a recording has it
 * enabled.
 */
public final class TaskWatch {

    private final String pool;
    private final LongAdder submitted = new LongAdder();
    private final LongAdder started = new LongAdder();
    private final LongAdder endedBeforeStart = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder crashed = new LongAdder();
    private final LongAdder timedOut = new LongAdder();

    TaskWatch(String pool) {
        this.pool = pool;
    }

    /** {@code n} tasks are being handed to the backend. */
    void submitted(int n) {
        submitted.add(n);
    }

    /** The backend refused {@code n} tasks counted as submitted, or they were never handed over. */
    void rejected(int n) {
        if (n > 0) {
            submitted.add(-n);
        }
    }

    /**
     * The task starts; returns its event, begun, for the caller to name the task in, or null when
     * no recording wants one (then nothing is allocated).
     */
    TaskEvent started() {
        started.increment();
        if (!PROBE.isEnabled()) {
            return null;
        }
        TaskEvent e = new TaskEvent();
        e.begin();
        e.pool = pool;
        return e;
    }

    /** Asks whether a recording wants task events: an event's enablement is its type's. */
    private static final TaskEvent PROBE = new TaskEvent();

    /** The task succeeded: {@link #ended} with no failure, without classifying one. */
    void succeeded(boolean hadStarted, TaskEvent event, String worker) {
        if (!hadStarted) {
            endedBeforeStart.increment();
        }
        completed.increment();
        commit(event, "ok", worker);
    }

    /** The task ended with {@code failure} (null on success); {@code event} is its start's. */
    void ended(boolean hadStarted, Throwable failure, TaskEvent event, String worker) {
        if (!hadStarted) {
            endedBeforeStart.increment();
        }
        String outcome = outcome(failure);
        switch (outcome) {
            case "ok" -> completed.increment();
            case "cancelled" -> cancelled.increment();
            case "crashed" -> crashed.increment();
            case "timed out" -> timedOut.increment();
            default -> failed.increment();
        }
        commit(event, outcome, worker);
    }

    /** Ends and commits a task's event, if a recording wanted one. */
    private static void commit(TaskEvent event, String outcome, String worker) {
        if (event != null) {
            event.end();
            event.outcome = outcome;
            event.worker = worker;
            event.commit();
        }
    }

    private static String outcome(Throwable failure) {
        Throwable t =
                failure instanceof CompletionException c && c.getCause() != null
                        ? c.getCause()
                        : failure;
        return switch (t) {
            case null -> "ok";
            case CancellationException x -> "cancelled";
            case WorkerCrashedException x -> "crashed";
            case TaskTimeoutException x -> "timed out";
            default -> "failed";
        };
    }

    /**
     * A snapshot of the counters; the workers' figures come from the backend.
     *
     * @param workersAlive worker JVMs alive now
     * @param workersRestarted worker JVMs started to replace others
     * @return the snapshot
     */
    Pool.Stats snapshot(int workersAlive, long workersRestarted) {
        // read the ends first: a task counted as ended was counted as submitted (and started)
        // before
        long ok = completed.sum();
        long bad = failed.sum();
        long off = cancelled.sum();
        long crash = crashed.sum();
        long late = timedOut.sum();
        long early = endedBeforeStart.sum();
        long go = started.sum();
        long in = submitted.sum();
        long ended = ok + bad + off + crash + late;
        long running = Math.max(0, go - (ended - early));
        long queued = Math.max(0, in - go - early);
        return new Pool.Stats(
                in, queued, running, ok, bad, off, crash, late, workersAlive, workersRestarted);
    }

    /** One task, from its start to its end, in JDK Mission Control. */
    @Name("dev.forkwise.Task")
    @Label("Task")
    @Category({"forkwise", "Pool"})
    @Description("A task of a forkwise pool, from its start to its end, and how it ended")
    @StackTrace(false)
    public static final class TaskEvent extends Event {
        @Label("Pool")
        public String pool;

        @Label("Task")
        public String task;

        @Label("Worker")
        @Description("The thread that ran it, or the worker JVM's pid")
        public String worker;

        @Label("Outcome")
        @Description("ok, failed, cancelled, crashed or timed out")
        public String outcome;
    }
}
