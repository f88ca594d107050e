package dev.forkwise.process;

import dev.forkwise.ProcessOptions;
import dev.forkwise.codec.Message;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reserve of workers that pools with {@link ProcessOptions#keepWarm()} left running when they
 * shut down, each waiting, for a while, for a later pool with the same launch settings.
 *
 * <h2>Implementation overview</h2>
 *
 * <p>One reserve per JVM: a map from launch settings ({@link Key}) to idle workers, oldest first,
 * under one lock, which guards the kept workers' mutable fields too.
 *
 * <p><b>Hand-overs.</b> A worker has one owner at a time ({@link Worker.Owner}), who gets its
 * frames and its exit. A pool whose work is done calls {@link #keep} for each idle, healthy worker
 * while holding its own lock, and forgets the worker if the reserve took it; a new pool calls
 * {@link #take} while holding its lock. The reserve changes the owner under its own lock in both,
 * so the pool is terminated only once its workers are in the reserve, and a pool made right after
 * it finds them there. Locks are only ever taken in one order (a pool's, then the reserve's), so
 * hand-overs cannot deadlock. A worker changes hands only while it runs no request, so no reply can
 * reach an owner that did not send its request.
 *
 * <p><b>Exits.</b> A worker's exit goes to whoever owned it when the callback read its owner; an
 * owner that finds, under its lock, that the worker has moved on since passes the exit on to the
 * worker's owner of the moment. A dead worker is never kept or taken (each checks first, under the
 * reserve's lock), so an exit always ends with the last owner.
 *
 * <p><b>Lifecycle of a kept worker.</b> {@code KEPT --take--> a pool's}; {@code KEPT --idle time
 * passed, or one more than the reserve keeps--> STOP sent (killed 5 s later if still alive) -->
 * exited}; any state {@code --exit--> gone}.
 *
 * <p>Memory consistency effects: actions of a pool on a worker before it hands the worker over
 * happen-before the actions of the pool that takes it (both pass through this reserve's lock).
 */
final class WarmWorkers implements Worker.Owner {

    /** The JVM's reserve. */
    static final WarmWorkers RESERVE = new WarmWorkers();

    private static final String NAME = "kept warm";

    /**
     * What must be equal for a pool to take a kept worker: everything that makes two workers start
     * and run the same way. The worker command is compared without its AOT cache option: a worker
     * started before the cache was trained runs the same code.
     */
    record Key(
            List<String> command,
            Map<String, String> environment,
            Optional<Path> directory,
            int threads,
            ByteBuffer initializer) {

        static Key of(
                List<String> command, ProcessOptions options, int threads, Message initializer) {
            List<String> cmd =
                    command.stream().filter(a -> !a.startsWith("-XX:AOTCache=")).toList();
            ByteArrayOutputStream init = new ByteArrayOutputStream();
            init.writeBytes(initializer.bytes());
            for (byte[] a : initializer.attachments()) {
                init.writeBytes(ByteBuffer.allocate(4).putInt(a.length).array());
                init.writeBytes(a);
            }
            return new Key(
                    cmd,
                    Map.copyOf(options.environment()),
                    options.workingDirectory(),
                    threads,
                    ByteBuffer.wrap(init.toByteArray()));
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private final Map<Key, ArrayDeque<Worker>> kept = new HashMap<>();
    private final Map<Worker, ScheduledFuture<?>> expiries = new HashMap<>();

    private WarmWorkers() {}

    /**
     * Keeps {@code w}, idle and healthy, for up to {@code idle}, and becomes its owner, unless the
     * reserve already holds {@code most} workers for {@code key} or {@code w} has died; the caller,
     * its pool, holds its own lock and forgets {@code w} if this returns true.
     *
     * @return whether {@code w} is kept
     */
    boolean keep(Key key, Worker w, Duration idle, int most) {
        lock.lock();
        try {
            ArrayDeque<Worker> q = kept.computeIfAbsent(key, k -> new ArrayDeque<>());
            if (q.size() >= most || !w.process.isAlive()) {
                return false;
            }
            q.addLast(w);
            w.owner = this;
            expiries.put(
                    w, Timers.schedule(() -> expire(key, w), idle.toNanos(), TimeUnit.NANOSECONDS));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the longest-kept live worker for {@code key} that has run fewer than {@code maxTasks}
     * tasks, and makes {@code owner} its owner; the caller holds its own lock.
     *
     * @return the worker, or null if none fits
     */
    Worker take(Key key, int maxTasks, Worker.Owner owner) {
        lock.lock();
        try {
            ArrayDeque<Worker> q = kept.get(key);
            if (q == null) {
                return null;
            }
            for (Iterator<Worker> it = q.iterator(); it.hasNext(); ) {
                Worker w = it.next();
                if (w.state != Worker.State.READY
                        || !w.process.isAlive()
                        || w.tasksDone >= maxTasks) {
                    continue;
                }
                it.remove();
                ScheduledFuture<?> expiry = expiries.remove(w);
                if (expiry != null) {
                    expiry.cancel(false);
                }
                w.owner = owner;
                return w;
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * @return the pids of the workers kept now, for tests and tools
     */
    List<Long> pids() {
        lock.lock();
        try {
            List<Long> out = new ArrayList<>();
            kept.values().forEach(q -> q.forEach(w -> out.add(w.pid)));
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops every kept worker now.
     *
     * @return how many were stopped
     */
    int release() {
        List<Worker> all = new ArrayList<>();
        lock.lock();
        try {
            kept.values().forEach(all::addAll);
            all.forEach(w -> w.stopRequested = true);
            kept.clear();
            expiries.values().forEach(f -> f.cancel(false));
            expiries.clear();
        } finally {
            lock.unlock();
        }
        all.forEach(Worker::stop);
        return all.size();
    }

    private void expire(Key key, Worker w) {
        lock.lock();
        try {
            ArrayDeque<Worker> q = kept.get(key);
            if (q == null || !q.remove(w)) {
                return; // taken meanwhile
            }
            expiries.remove(w);
            w.stopRequested = true;
        } finally {
            lock.unlock();
        }
        w.stop();
    }

    @Override
    public void frame(Worker w, Wire.Frame f) throws IOException {
        if (f.type() == Wire.ECHO) {
            Echo.answered(f.id());
            return;
        }
        // a kept worker runs no request, so nothing else can come from a healthy one
        throw new IOException(
                "unexpected frame type " + f.type() + " from " + w + ", which runs no request");
    }

    @Override
    public void exited(Worker w) {
        Worker.Owner now;
        lock.lock();
        try {
            now = w.owner;
            if (now == this) {
                for (ArrayDeque<Worker> q : kept.values()) {
                    q.remove(w);
                }
                ScheduledFuture<?> expiry = expiries.remove(w);
                if (expiry != null) {
                    expiry.cancel(false);
                }
                w.state = Worker.State.DEAD;
            }
        } finally {
            lock.unlock();
        }
        if (now != this) {
            now.exited(w); // taken by a pool while this exit was on its way
            return;
        }
        int code = w.exitCode();
        String signal = w.signal();
        Events.workerExited(
                NAME,
                w.pid,
                code,
                signal,
                !w.stopRequested,
                w.stopRequested
                        ? "kept warm, and stopped when its idle time passed or the reserve was full"
                        : signal != null
                                ? "killed by " + signal + " while kept warm"
                                : "it exited by itself with code " + code + " while kept warm");
    }
}
