package dev.forkwise;

import dev.forkwise.engine.PoolEngine;
import dev.forkwise.process.ProcessBackend;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What an application can do about worker JVMs outside a pool's tasks: prepare their start-up ahead
 * of the first pool, and measure the channel a pool's tasks travel on, to tell forkwise's own cost
 * per task from the machine's.
 */
public final class WorkerJvms {

    private WorkerJvms() {}

    /**
     * Makes sure the JDK's AOT cache that worker JVMs with {@code options} start from exists,
     * training it now if needed (a few seconds, once per worker command) rather than in the
     * background of the first pool: for deployments that want their first pool fast, and for
     * benchmarks that must not time the training.
     *
     * @param options the options of the pools to come
     * @return the cache, or empty when there is none (turned off with {@code -Dforkwise.aot=off},
     *     or the class path does not begin with a jar)
     * @throws IOException if the cache folder cannot be written
     * @throws InterruptedException if interrupted while the training runs
     */
    public static Optional<Path> prepareStartUp(ProcessOptions options)
            throws IOException, InterruptedException {
        Objects.requireNonNull(options, "options");
        return ProcessBackend.prepareAotCache(options);
    }

    /**
     * Starts one worker JVM with default options and brings its channel to where a busy pool's is
     * (switched to shared memory after its first tasks), for measuring the bare channel: {@link
     * Channel#roundTrip(byte[])} sends a frame there and back, with no task in it.
     *
     * @param timeout how long the worker may take to start and switch
     * @return the channel; close it to stop the worker
     * @throws IOException if the worker cannot be reached
     * @throws InterruptedException if interrupted while it starts
     * @throws IllegalStateException if the worker did not start and switch within the timeout
     */
    public static Channel channel(Duration timeout) throws IOException, InterruptedException {
        ProcessBackend backend = new ProcessBackend(ProcessOptions.ofWorkers(1));
        PoolEngine pool = new PoolEngine(backend);
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int i = 0; i <= ProcessBackend.linkAfter(); i++) {
                pool.submit(() -> null)
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            while (!backend.linked()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the worker's channel did not switch to shared memory within "
                                    + timeout);
                }
                backend.echo(new byte[16]); // the switch completes as frames flow
            }
            return new Channel(pool, backend);
        } catch (ExecutionException | TimeoutException e) {
            pool.shutdownNow();
            throw new IllegalStateException(
                    "the worker did not answer within " + timeout + ": " + e, e);
        } catch (IOException | InterruptedException | RuntimeException e) {
            pool.shutdownNow();
            throw e;
        }
    }

    /** One worker JVM's channel, for measuring it bare. */
    public static final class Channel implements AutoCloseable {
        private final Pool pool;
        private final ProcessBackend backend;

        private Channel(Pool pool, ProcessBackend backend) {
            this.pool = pool;
            this.backend = backend;
        }

        /**
         * Sends {@code payload} to the worker in a frame of its own and waits for it to come back.
         *
         * @param payload the bytes
         * @throws IOException if the channel fails
         * @throws InterruptedException if interrupted while waiting
         */
        public void roundTrip(byte[] payload) throws IOException, InterruptedException {
            backend.echo(payload);
        }

        /** Stops the worker. */
        @Override
        public void close() {
            pool.close();
        }
    }
}
