package dev.forkwise.process;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR events of the process backend, so a pool can be watched in JDK Mission Control: a worker
 * started, a worker exited (or crashed). Recorded in the parent. They cost nothing unless a
 * recording enables them. Tasks, on every backend, are the engine's {@code dev.forkwise.Task}
 * events ({@link dev.forkwise.engine.TaskWatch}).
 */
final class Events {

    private Events() {}

    static void workerStarted(String pool, long pid, long startupNanos, boolean kept) {
        WorkerStart e = new WorkerStart();
        if (e.isEnabled()) {
            e.pool = pool;
            e.pid = pid;
            e.startup = startupNanos;
            e.kept = kept;
            e.commit();
        }
    }

    static void workerExited(
            String pool, long pid, int exitCode, String signal, boolean crashed, String reason) {
        WorkerExit e = new WorkerExit();
        if (e.isEnabled()) {
            e.pool = pool;
            e.pid = pid;
            e.exitCode = exitCode;
            e.signal = signal;
            e.crashed = crashed;
            e.reason = reason;
            e.commit();
        }
    }

    /** A worker JVM is ready for tasks. */
    @Name("dev.forkwise.WorkerStart")
    @Label("Worker Start")
    @Category({"forkwise", "Process pool"})
    @Description("A worker JVM started and is ready for tasks")
    @StackTrace(false)
    public static final class WorkerStart extends Event {
        @Label("Pool")
        public String pool;

        @Label("Worker PID")
        public long pid;

        @Label("Startup")
        @Timespan(Timespan.NANOSECONDS)
        public long startup;

        @Label("Kept")
        @Description("Taken, already running, from the workers an earlier pool kept warm")
        public boolean kept;
    }

    /** A worker JVM exited. */
    @Name("dev.forkwise.WorkerExit")
    @Label("Worker Exit")
    @Category({"forkwise", "Process pool"})
    @Description("A worker JVM exited: stopped by the pool, or crashed")
    @StackTrace(false)
    public static final class WorkerExit extends Event {
        @Label("Pool")
        public String pool;

        @Label("Worker PID")
        public long pid;

        @Label("Exit Code")
        public int exitCode;

        @Label("Signal")
        public String signal;

        @Label("Crashed")
        public boolean crashed;

        @Label("Reason")
        public String reason;
    }
}
