package dev.forkwise.process;

import dev.forkwise.Call;
import dev.forkwise.NotTransferableException;
import dev.forkwise.ProcessOptions;
import dev.forkwise.TaskFailedException;
import dev.forkwise.TaskTimeoutException;
import dev.forkwise.WorkerCrashedException;
import dev.forkwise.codec.Codec;
import dev.forkwise.codec.Message;
import dev.forkwise.codec.Transfer;
import dev.forkwise.engine.Tasks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One call in one child JVM, the engine of {@link dev.forkwise.ChildProcess}: the same worker,
 * channel and supervision as a pool's, for exactly one task, after which the child exits (0 if the
 * call returned, 1 if it threw).
 */
public final class ChildRun {

    private final String description;
    private final Channel channel;
    private final Worker worker;
    private final Message task;
    private final Message initializer;
    private final Codec codec;
    private final CompletableFuture<Object> result = new CompletableFuture<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile String killReason;

    /** Set when the child says READY; until then the start timeout may kill it. */
    private volatile boolean ready;

    private ChildRun(
            String name, String description, Call<?> call, Object code, ProcessOptions options) {
        this.description = description;
        this.task = Transfer.encode(description, call);
        this.initializer =
                options.initializer()
                        .map(i -> Transfer.encode("the initializer", i))
                        .orElse(Message.EMPTY);
        this.codec =
                new Codec(
                        options.allowedClasses().orElse(null),
                        call.getClass().getClassLoader(),
                        Tasks.FACTORY);
        List<String> command =
                Aot.workerCommand(
                        options, code.getClass().getClassLoader(), ClassPaths.contextLoader());
        ClassPaths.Check.of(options, command).check(() -> description, code);
        this.channel = Channel.open("child");
        String token = channel.expect(this::connected);
        try {
            this.worker = Worker.launch(name, command, options, channel, token, 0);
        } catch (IOException e) {
            channel.close();
            throw new UncheckedIOException("cannot start a child JVM", e);
        }
        worker.process.onExit().whenCompleteAsync((p, e) -> exited(), Daemons.EXITS);
        Timers.schedule(
                () -> {
                    if (!ready && !result.isDone()) {
                        killReason =
                                "forkwise killed it because it never started: it was not ready"
                                        + " within the start timeout of "
                                        + Durations.format(options.startTimeout())
                                        + " (ProcessOptions.startTimeout)";
                        worker.killTree();
                    }
                },
                options.startTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
        options.taskTimeout()
                .ifPresent(
                        limit ->
                                Timers.schedule(
                                        () -> {
                                            if (!result.isDone()) {
                                                killReason =
                                                        "forkwise killed it because the call ran"
                                                                + " past its time limit of "
                                                                + limit;
                                                result.completeExceptionally(
                                                        new TaskTimeoutException(
                                                                description, limit));
                                                worker.killTree();
                                            }
                                        },
                                        limit.toNanos(),
                                        TimeUnit.NANOSECONDS));
    }

    /**
     * Starts {@code call} in a new child JVM.
     *
     * @param name the child's name, for its output's prefix and for messages
     * @param call the call, serializable
     * @param code the user's object inside the call (the call itself, or the action it runs), whose
     *     class the child must be able to load
     * @param options JVM options, environment, working directory, time limit
     * @return the running child
     * @throws NotTransferableException if the call cannot be sent
     */
    public static ChildRun start(String name, Call<?> call, Object code, ProcessOptions options) {
        return new ChildRun(name, "the call in child process " + name, call, code, options);
    }

    private void connected(Wire wire) {
        worker.wire = wire;
        Daemons.start("forkwise-child-read-" + worker.pid, () -> read(wire));
        try {
            wire.send(Wire.INIT, 0, initializer);
        } catch (IOException e) {
            worker.killTree();
        }
    }

    private void read(Wire wire) {
        try {
            while (true) {
                Wire.Frame f = wire.read();
                switch (f.type()) {
                    case Wire.READY -> {
                        ready = true;
                        wire.send(Wire.TASK, 1, task);
                    }
                    case Wire.INIT_FAILED -> {
                        result.completeExceptionally(
                                new TaskFailedException(
                                        "the initializer of a child process",
                                        codec.decodeThrowable(f.message())));
                        worker.killTree();
                    }
                    case Wire.OK -> {
                        try {
                            result.complete(codec.decode(f.message()));
                        } catch (ClassNotFoundException | RuntimeException e) {
                            result.completeExceptionally(
                                    new TaskFailedException(
                                            description + " (its result could not be read)", e));
                        }
                    }
                    case Wire.FAILED ->
                            result.completeExceptionally(
                                    new TaskFailedException(
                                            description, codec.decodeThrowable(f.message())));
                    case Wire.UNSENDABLE ->
                            result.completeExceptionally(
                                    Transfer.resultNotSent(
                                            description, codec.decodeThrowable(f.message())));
                    default -> throw new IOException("unknown frame type " + f.type());
                }
            }
        } catch (IOException e) {
            wire.close();
        }
    }

    private void exited() {
        List<String> lines = worker.lastLines();
        int code = worker.exitCode();
        channel.close();
        // The exit code first: a caller who sees the crash in result() must also see it in
        // exitCode().
        exit.complete(code);
        if (!result.isDone()) {
            result.completeExceptionally(
                    new WorkerCrashedException(
                            description, worker.pid, code, worker.signal(), lines, killReason));
        }
    }

    /**
     * @return the child's pid
     */
    public long pid() {
        return worker.pid;
    }

    /**
     * @return the result, or how the call failed
     */
    public CompletableFuture<Object> result() {
        return result;
    }

    /**
     * @return the exit code, once the child has exited
     */
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    /** Sends SIGTERM. */
    public void terminate() {
        worker.terminate();
    }

    /** Sends SIGKILL to the child and its own children. */
    public void kill() {
        worker.killTree();
    }
}
