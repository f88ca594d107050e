package dev.forkwise.spi;

import dev.forkwise.codec.Codec;
import dev.forkwise.codec.Message;
import dev.forkwise.codec.Portable;
import dev.forkwise.codec.Transfer;
import dev.forkwise.engine.Backend;
import dev.forkwise.engine.TaskFuture;
import dev.forkwise.engine.Tasks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A backend written the way one outside forkwise-core would be (the cluster module's), through the
 * SPI alone: every task crosses the codec as it would cross a network, encoded with the transfer
 * check at submit, decoded on the "far side" through the class filter with the engine's task
 * factory, run there, and its outcome encoded and decoded back; the future is completed with {@code
 * completeRemotely}/{@code failRemotely}, never {@code run()}. The far side is a pool of this JVM's
 * threads, so the suite can interrupt and count what runs there.
 */
final class LoopbackBackend implements Backend {

    private final int threads;
    private final Codec farSide =
            new Codec(null, LoopbackBackend.class.getClassLoader(), Tasks.FACTORY);
    private ExecutorService executor;

    LoopbackBackend(int threads) {
        this.threads = threads;
    }

    @Override
    public String kind() {
        return "loopback(" + threads + ")";
    }

    @Override
    public int parallelism() {
        return threads;
    }

    @Override
    public void start(String poolName) {
        executor =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        0,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        Thread.ofPlatform().name("forkwise-" + poolName + "-far-", 0).factory());
    }

    @Override
    public void execute(TaskFuture<?> task) {
        Message sent =
                Transfer.encode(
                        task.description(),
                        task.task()); // fails here, at submit, if it cannot travel
        executor.execute(new Delivery(task, sent));
    }

    /** One task on its way: what the far side receives and runs. */
    private final class Delivery implements Runnable {
        final TaskFuture<?> future;
        final Message sent;

        Delivery(TaskFuture<?> future, Message sent) {
            this.future = future;
            this.sent = sent;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void run() {
            if (future.isDone()) {
                return; // cancelled on the way
            }
            Thread far = Thread.currentThread();
            future.started(far.getName());
            future.whenComplete(
                    (r, e) -> {
                        if (future.isCancelled() && future.interruptRequested()) {
                            far.interrupt(); // cancel(true) reaches the far side
                        }
                    });
            Message reply;
            boolean failed = false;
            try {
                Callable<?> task = (Callable<?>) farSide.decode(sent);
                reply = Codec.encode(task.call(), false);
            } catch (Throwable t) {
                failed = true;
                try {
                    reply = Codec.encodeThrowable(t);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            } finally {
                Thread.interrupted(); // an interrupt for this task ends with it
            }
            Codec back = new Codec(null, LoopbackBackend.class.getClassLoader(), Tasks.FACTORY);
            if (failed) {
                future.failRemotely(back.decodeThrowable(reply));
                return;
            }
            try {
                Object value =
                        Portable.packsResults(future.task())
                                ? back.decodeResults(reply)
                                : back.decode(reply);
                ((TaskFuture<Object>) future).completeRemotely(value);
            } catch (IOException | ClassNotFoundException e) {
                future.failRemotely(e);
            }
        }
    }

    @Override
    public void shutdown() {
        executor.shutdown();
    }

    @Override
    public List<TaskFuture<?>> shutdownNow() {
        List<TaskFuture<?>> never = new ArrayList<>();
        for (Runnable r : executor.shutdownNow()) {
            never.add(((Delivery) r).future);
        }
        return never;
    }

    @Override
    public boolean isShutdown() {
        return executor.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return executor.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return executor.awaitTermination(timeout, unit);
    }
}
