package dev.forkwise.threads;

import dev.forkwise.engine.Lifecycle;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs each task on a new thread from a factory (virtual threads, here), with at most {@code max}
 * running at once; the others wait in a FIFO queue. Unlike a pool, no thread is reused: each task
 * gets a fresh thread, so thread-locals never leak from one task into the next.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>One lock guards the state, the waiting queue and the set of running threads. A task's thread,
 * when its task ends, leaves the running set and, under the same lock, starts a new thread for the
 * next waiting task, so the bound holds at every instant.
 *
 * <p>Lifecycle: {@code RUNNING --shutdown/shutdownNow--> SHUTDOWN --no task running or waiting-->
 * TERMINATED}. After {@code shutdown()} waiting tasks still run; {@code shutdownNow()} drains and
 * returns them, and interrupts the running ones.
 *
 * <p>Memory consistency effects: actions before {@code execute} happen-before the task runs
 * (through the lock and {@link Thread#start()}).
 */
final class BoundedThreadPerTaskExecutor extends AbstractExecutorService {

    private final int max;
    private final ThreadFactory factory;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private final Set<Thread> running = new HashSet<>();
    private final Lifecycle life = new Lifecycle(lock, Lifecycle.State.RUNNING);

    BoundedThreadPerTaskExecutor(int max, ThreadFactory factory) {
        this.max = max;
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        lock.lock();
        try {
            if (!life.is(Lifecycle.State.RUNNING)) {
                throw new RejectedExecutionException("executor is shut down");
            }
            if (running.size() < max) {
                startLocked(task);
            } else {
                waiting.add(task);
            }
        } finally {
            lock.unlock();
        }
    }

    private void startLocked(Runnable task) {
        Thread[] self = new Thread[1];
        Thread t = factory.newThread(() -> runThenHandOver(self[0], task));
        if (t == null) {
            throw new RejectedExecutionException("thread factory returned no thread");
        }
        self[0] = t;
        running.add(t);
        try {
            t.start();
        } catch (Throwable e) {
            running.remove(t);
            throw new RejectedExecutionException("could not start a thread for the task", e);
        }
    }

    private void runThenHandOver(Thread self, Runnable task) {
        try {
            task.run();
        } finally {
            lock.lock();
            try {
                running.remove(self);
                Runnable next = waiting.poll();
                if (next != null) {
                    try {
                        startLocked(next);
                    } catch (RejectedExecutionException e) {
                        waiting.addFirst(next); // retried when the next task ends
                    }
                }
                tryTerminateLocked();
            } finally {
                lock.unlock();
            }
        }
    }

    private void tryTerminateLocked() {
        if (life.is(Lifecycle.State.SHUTDOWN) && running.isEmpty() && waiting.isEmpty()) {
            life.advance(Lifecycle.State.TERMINATED);
        }
    }

    @Override
    public void shutdown() {
        lock.lock();
        try {
            life.advance(Lifecycle.State.SHUTDOWN);
            tryTerminateLocked();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        lock.lock();
        try {
            life.advance(Lifecycle.State.SHUTDOWN);
            List<Runnable> never = new ArrayList<>(waiting);
            waiting.clear();
            for (Thread t : running) {
                t.interrupt();
            }
            tryTerminateLocked();
            return never;
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
}
