package dev.forkwise.process;

import dev.forkwise.ProcessOptions;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The parent's handle on one worker JVM: its process, its end of the channel, its output pumps, and
 * the requests it is running. Its mutable fields are guarded by the owner's lock ({@link
 * ProcessBackend} or {@link dev.forkwise.ChildProcess}'s); the process, pid and pumps never change.
 *
 * <p>Lifecycle: {@code STARTING --READY frame--> READY --retire/stop--> RETIRING --exit--> DEAD};
 * any state goes to {@code DEAD} when the process exits.
 */
final class Worker {

    /**
     * Who a worker's frames and exit go to: the pool running it, or the reserve that keeps it warm
     * between pools ({@link WarmWorkers}). Changed only while the worker runs no request, so no
     * reply can reach an owner that did not send its request.
     */
    interface Owner {
        /** A frame from the worker, on its reading thread. */
        void frame(Worker w, Wire.Frame f) throws IOException;

        /** The worker's process has exited; called once, on a thread of its own. */
        void exited(Worker w);
    }

    enum State {
        STARTING,
        READY,
        RETIRING,
        DEAD
    }

    /** Changes when a kept worker joins another pool. */
    volatile String name;

    volatile Owner owner;

    /** How long a worker asked to stop has before it is killed. */
    static final long STOP_GRACE_SECONDS = 5;

    final String token;
    final Process process;
    final long pid;

    /** {@code "pid N"}, as task events name the worker (built once, not per task). */
    final String label;

    final long startNanos;
    final OutputPump out;
    final OutputPump err;

    // guarded by the owner's lock
    State state = State.STARTING;
    Wire wire;

    /** The requests sent and not yet answered, in the order they were sent. */
    final Map<Long, Job> inflight = new LinkedHashMap<>();

    int tasksDone;

    /**
     * A moving average of the time the worker spends per task, as its replies say (0 until the
     * first reply): how many tasks it may be sent ahead ({@link ProcessBackend}).
     */
    long serviceNanos;

    /**
     * When its queue last moved: its last reply, or when it was first sent a task beyond its
     * threads (a queue that has not moved for long is recalled, {@link ProcessBackend}).
     */
    long progressNanos;

    /** It was asked to hand back its queued tasks and has not replied since. */
    boolean recalling;

    boolean stopRequested;
    String killReason;
    boolean everReady;

    /**
     * Kills the worker if it is not ready within the pool's start timeout; cancelled when it is.
     */
    ScheduledFuture<?> startTimer;

    /** forkwise killed it because it was not ready within the start timeout. */
    boolean neverStarted;

    private Worker(String name, String token, Process process, long startNanos) {
        this.name = name;
        this.token = token;
        this.process = process;
        this.pid = process.pid();
        this.label = "pid " + pid;
        this.startNanos = startNanos;
        String prefix = prefix();
        this.out =
                OutputPump.start(
                        process.getInputStream(), () -> System.out, prefix, "forkwise-out-" + pid);
        this.err =
                OutputPump.start(
                        process.getErrorStream(), () -> System.err, prefix, "forkwise-err-" + pid);
    }

    private String prefix() {
        return "[" + name + " pid " + pid + "] ";
    }

    /**
     * Gives the worker a new name (a kept worker joining another pool), in its output's prefix too.
     */
    void rename(String newName) {
        name = newName;
        out.prefix(prefix());
        err.prefix(prefix());
    }

    /**
     * Sends the worker's exit to its owner at that moment, once the process has exited: on {@code
     * exits}.
     */
    void reportExit() {
        process.onExit().whenCompleteAsync((p, e) -> owner.exited(this), Daemons.EXITS);
    }

    /**
     * Starts the thread that reads the worker's frames and gives each to the worker's owner of the
     * moment. A channel that breaks, or a frame its owner cannot take, ends the worker: a worker
     * whose channel cannot be trusted gets no more work.
     */
    void startReading() {
        Daemons.start(
                "forkwise-read-" + pid,
                () -> {
                    try {
                        while (true) {
                            Wire.Frame f = wire.read();
                            owner.frame(this, f);
                        }
                    } catch (IOException | RuntimeException e) {
                        wire.close();
                        if (process.isAlive()) {
                            killTree();
                        }
                    }
                });
    }

    /**
     * Starts a worker JVM and writes its start lines (socket, token, threads, the parent's pid) to
     * its standard input, which then stays open: its end of file is how the worker learns the
     * parent is gone.
     *
     * @param threads task threads in the worker; 0 for a single-task child
     * @throws IOException if the JVM cannot be started at all; one that starts and dies at once is
     *     returned, and its exit reports it
     */
    static Worker launch(
            String name,
            List<String> command,
            ProcessOptions options,
            Channel channel,
            String token,
            int threads)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(options.environment());
        options.workingDirectory().ifPresent(d -> pb.directory(d.toFile()));
        long t0 = System.nanoTime();
        Process p = pb.start();
        Worker w = new Worker(name, token, p, t0);
        OutputStream stdin = p.getOutputStream();
        try {
            stdin.write(
                    (channel.path()
                                    + "\n"
                                    + token
                                    + "\n"
                                    + threads
                                    + "\n"
                                    + ProcessHandle.current().pid()
                                    + "\n")
                            .getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            // the JVM started but is already gone (a bad JVM option makes it exit at once) or
            // cannot read its start lines: end it by its handle, keeping its pipes, so its exit is
            // reported like any crash, with the last lines it wrote to stderr
            p.toHandle().destroyForcibly();
        }
        return w;
    }

    /**
     * Kills the worker and, first, its own child processes (a hard stop; no cleanup in the worker).
     * Signals go through the {@link ProcessHandle}: {@link Process#destroyForcibly()} would also
     * close the pipes, and the last stderr lines would be lost.
     */
    void killTree() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.toHandle().destroyForcibly();
    }

    /**
     * Sends the worker {@code STOP} on its channel, and kills it if the channel is broken or if it
     * is still alive {@link #STOP_GRACE_SECONDS} later. The worker must be connected.
     */
    void stop() {
        try {
            wire.send(Wire.STOP, 0, new byte[0]);
        } catch (IOException e) {
            killTree();
            return;
        }
        Timers.schedule(
                () -> {
                    if (process.isAlive()) {
                        killTree();
                    }
                },
                STOP_GRACE_SECONDS,
                TimeUnit.SECONDS);
    }

    /** Asks the worker to stop (SIGTERM), leaving its pipes open so its shutdown is seen whole. */
    void terminate() {
        process.toHandle().destroy();
    }

    /** The exit code, once exited. */
    int exitCode() {
        return process.exitValue();
    }

    /**
     * The signal that ended the worker, by name, or null when it exited by itself. Java reports
     * both {@code exit(137)} and death by SIGKILL as 137; a worker that exits through {@code
     * System.exit} says so on its way out ({@link OutputPump#EXIT_MARK}), so only a code above 128
     * without that word is taken for a signal (a {@code Runtime.halt(137)} would be too).
     */
    String signal() {
        return err.orderlyExit() ? null : Signals.fromExitCode(exitCode());
    }

    /**
     * What a crash report shows of the worker's output: the last lines of stderr and, after a
     * native crash, the JVM's fatal-error banner, which it writes to stdout. Waits briefly for the
     * streams to end, so the last lines are all in.
     */
    List<String> lastLines() {
        err.awaitEnd(500);
        out.awaitEnd(200);
        List<String> banner = out.banner();
        if (banner.isEmpty()) {
            return err.lastLines();
        }
        List<String> lines = new ArrayList<>(err.lastLines());
        lines.removeAll(banner); // where the JVM did write it to stderr
        lines.addAll(banner);
        return lines;
    }

    @Override
    public String toString() {
        return name + " pid " + pid;
    }
}
