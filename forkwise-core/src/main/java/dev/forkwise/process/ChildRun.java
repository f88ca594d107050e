package dev.forkwise.process;

import dev.forkwise.Call;
import dev.forkwise.NotTransferableException;
import dev.forkwise.ProcessOptions;
import dev.forkwise.TaskFailedException;
import dev.forkwise.TaskTimeoutException;
import dev.forkwise.WorkerCrashedException;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    private final Wire.Message task;
    private final Wire.Message initializer;
    private final Codec codec;
    private final CompletableFuture<Object> result = new CompletableFuture<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile String killReason;

    private ChildRun(String description, Call<?> call, ProcessOptions options) {
        this.description = description;
        this.task = Transfer.encode(description, call);
        this.initializer = options.initializer().map(i -> Transfer.encode("the initializer", i)).orElse(Wire.Message.EMPTY);
        this.codec = new Codec(options.allowedClasses().orElse(null), call.getClass().getClassLoader());
        this.channel = Channel.open("child");
        String token = channel.expect((pid, wire) -> connected(wire));
        try {
            this.worker = Worker.launch("child process", Aot.workerCommand(options), options, channel, token, 0);
        } catch (IOException e) {
            channel.close();
            throw new UncheckedIOException("cannot start a child JVM", e);
        }
        worker.process.onExit().whenCompleteAsync((p, e) -> exited(), r -> Thread.ofVirtual().name("forkwise-child-exit").start(r));
        options.taskTimeout()
                .ifPresent(limit -> Timers.schedule(() -> {
                    if (!result.isDone()) {
                        killReason = "forkwise killed it because the call ran past its time limit of " + limit;
                        result.completeExceptionally(new TaskTimeoutException(description, limit));
                        worker.killTree();
                    }
                }, limit.toNanos(), TimeUnit.NANOSECONDS));
    }

    /**
     * Starts {@code call} in a new child JVM.
     *
     * @param call the call, serializable
     * @param options JVM options, environment, working directory, time limit
     * @return the running child
     * @throws NotTransferableException if the call cannot be sent
     */
    public static ChildRun start(Call<?> call, ProcessOptions options) {
        return new ChildRun("the call in a child process", call, options);
    }

    private void connected(Wire wire) {
        worker.wire = wire;
        Thread reader = new Thread(() -> read(wire), "forkwise-child-read-" + worker.pid);
        reader.setDaemon(true);
        reader.start();
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
                    case Wire.READY -> wire.send(Wire.TASK, 1, task);
                    case Wire.INIT_FAILED -> {
                        result.completeExceptionally(new TaskFailedException("the initializer of a child process", codec.decodeThrowable(f.message())));
                        worker.killTree();
                    }
                    case Wire.OK -> {
                        try {
                            result.complete(codec.decode(f.message()));
                        } catch (ClassNotFoundException | RuntimeException e) {
                            result.completeExceptionally(new TaskFailedException(description + " (its result could not be read)", e));
                        }
                    }
                    case Wire.FAILED -> result.completeExceptionally(new TaskFailedException(description, codec.decodeThrowable(f.message())));
                    case Wire.UNSENDABLE -> result.completeExceptionally(Transfer.resultNotSent(description, codec.decodeThrowable(f.message())));
                    default -> throw new IOException("unknown frame type " + f.type());
                }
            }
        } catch (IOException e) {
            wire.close();
        }
    }

    private void exited() {
        worker.err.awaitEnd(500);
        int code = worker.exitCode();
        channel.close();
        // The exit code first: a caller who sees the crash in result() must also see it in exitCode().
        exit.complete(code);
        if (!result.isDone()) {
            result.completeExceptionally(
                    new WorkerCrashedException(description, worker.pid, code, Signals.fromExitCode(code), worker.err.lastLines(), killReason));
        }
    }

    /** @return the child's pid */
    public long pid() {
        return worker.pid;
    }

    /** @return the result, or how the call failed */
    public CompletableFuture<Object> result() {
        return result;
    }

    /** @return the exit code, once the child has exited */
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
