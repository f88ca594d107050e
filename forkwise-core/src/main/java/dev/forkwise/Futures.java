package dev.forkwise;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Python's {@code concurrent.futures.as_completed} and {@code wait}, for any {@link Future}: those
 * of a {@link Pool} on every backend, and the JDK's own.
 *
 * <pre>{@code
 * List<CompletableFuture<Page>> pages =
 *         urls.stream().map(u -> pool.submit(() -> fetch(u))).toList();
 * Futures.asCompleted(pages).forEach(f -> show(f.resultNow())); // as each one finishes
 *
 * Futures.Waited<CompletableFuture<Page>> w =
 *         Futures.await(pages, Futures.Until.FIRST_FAILURE, Duration.ofSeconds(30));
 * w.notDone().forEach(f -> f.cancel(true));
 * }</pre>
 *
 * <p>A {@link CompletableFuture} tells when it completes; any other future is polled, every
 * millisecond at first and every 10 ms after a while.
 *
 * <p>Memory consistency effects: actions of a task happen-before its future is returned by {@code
 * asCompleted} or placed in {@code await}'s done set (through the future's own completion).
 */
public final class Futures {

    private static final long POLL_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long POLL_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private Futures() {}

    /** When {@link #await} returns (besides its time limit): Python's {@code return_when}. */
    public enum Until {
        /** When any future is done (succeeded, failed or cancelled). */
        FIRST_COMPLETED,
        /**
         * When any future has failed, or all are done if none fails: Python's {@code
         * FIRST_EXCEPTION}.
         */
        FIRST_FAILURE,
        /** When every future is done. */
        ALL_COMPLETED
    }

    /**
     * What {@link #await} found: the futures that were done and those that were not, each in the
     * order given (Python's {@code (done, not_done)}).
     *
     * @param done the futures that were done
     * @param notDone the others
     * @param <F> the futures' type
     */
    public record Waited<F extends Future<?>>(Set<F> done, Set<F> notDone) {
        /** Copies the sets. */
        public Waited {
            done = Collections.unmodifiableSet(new LinkedHashSet<>(done));
            notDone = Collections.unmodifiableSet(new LinkedHashSet<>(notDone));
        }
    }

    /**
     * Returns the futures in the order they complete (Python's {@code as_completed}): those already
     * done first, then each as it completes. The stream blocks in each step until the next one
     * completes; a thread interrupted while it waits gets a {@link CancellationException} and keeps
     * its interrupt status.
     *
     * @param futures the futures; not null, no null element (the same future twice counts once)
     * @param <F> the futures' type
     * @return a sequential stream of all of them, in completion order
     * @throws NullPointerException if {@code futures} or an element is null
     */
    public static <F extends Future<?>> Stream<F> asCompleted(Collection<? extends F> futures) {
        Set<F> all = checked(futures);
        Iterator<F> it = new CompletionOrder<>(all);
        return StreamSupport.stream(
                Spliterators.spliterator(it, all.size(), Spliterator.NONNULL | Spliterator.SIZED),
                false);
    }

    /**
     * Waits until {@code until} holds or {@code limit} has passed, and says which futures are done
     * (Python's {@code wait(fs, timeout, return_when)}). A time limit that passes is not an error:
     * the futures still running are in {@link Waited#notDone()}.
     *
     * @param futures the futures; not null, no null element
     * @param until when to return
     * @param limit the longest wait; zero looks once
     * @param <F> the futures' type
     * @return the done and the not-done futures
     * @throws InterruptedException if interrupted while waiting
     * @throws NullPointerException if an argument or an element is null
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    public static <F extends Future<?>> Waited<F> await(
            Collection<? extends F> futures, Until until, Duration limit)
            throws InterruptedException {
        Objects.requireNonNull(until, "until must not be null");
        Objects.requireNonNull(
                limit,
                "limit must not be null (use a long one, such as Duration.ofDays(1), to wait"
                        + " without one)");
        if (limit.isNegative()) {
            throw new IllegalArgumentException("limit must not be negative, was " + limit);
        }
        Set<F> all = checked(futures);
        Object signal = new Object();
        boolean polled = false;
        for (F f : all) {
            if (f instanceof CompletableFuture<?> cf) {
                cf.whenComplete(
                        (r, e) -> {
                            synchronized (signal) {
                                signal.notifyAll();
                            }
                        });
            } else {
                polled = true;
            }
        }
        long deadline = System.nanoTime() + Math.min(limit.toNanos(), Long.MAX_VALUE / 4);
        long poll = POLL_MIN_NANOS;
        while (true) {
            synchronized (signal) {
                if (holds(all, until)) {
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                long wait = polled ? Math.min(left, poll) : left;
                TimeUnit.NANOSECONDS.timedWait(signal, wait);
            }
            poll = Math.min(POLL_MAX_NANOS, poll * 2);
        }
        Set<F> done = new LinkedHashSet<>();
        Set<F> notDone = new LinkedHashSet<>();
        for (F f : all) {
            (f.isDone() ? done : notDone).add(f);
        }
        return new Waited<>(done, notDone);
    }

    private static boolean holds(Set<? extends Future<?>> all, Until until) {
        boolean allDone = true;
        for (Future<?> f : all) {
            if (!f.isDone()) {
                allDone = false;
            } else if (until == Until.FIRST_COMPLETED
                    || (until == Until.FIRST_FAILURE && f.state() == Future.State.FAILED)) {
                return true;
            }
        }
        return allDone;
    }

    private static <F extends Future<?>> Set<F> checked(Collection<? extends F> futures) {
        Objects.requireNonNull(futures, "futures must not be null");
        Set<F> all = new LinkedHashSet<>();
        int i = 0;
        for (F f : futures) {
            if (f == null) {
                throw new NullPointerException("futures element #" + i + " is null");
            }
            all.add(f);
            i++;
        }
        return all;
    }

    /**
     * Hands out futures as they complete: completions queue themselves; other futures are polled.
     */
    private static final class CompletionOrder<F extends Future<?>> implements Iterator<F> {
        private final LinkedBlockingQueue<F> completed = new LinkedBlockingQueue<>();
        private final List<F> polled = new ArrayList<>();
        private int left;

        CompletionOrder(Set<F> all) {
            left = all.size();
            for (F f : all) {
                if (f instanceof CompletableFuture<?> cf) {
                    cf.whenComplete((r, e) -> completed.add(f)); // at once if already done
                } else {
                    polled.add(f);
                }
            }
        }

        @Override
        public boolean hasNext() {
            return left > 0;
        }

        @Override
        public F next() {
            if (left == 0) {
                throw new NoSuchElementException();
            }
            long poll = POLL_MIN_NANOS;
            try {
                while (true) {
                    movePolled();
                    F f =
                            polled.isEmpty()
                                    ? completed.take()
                                    : completed.poll(poll, TimeUnit.NANOSECONDS);
                    if (f != null) {
                        left--;
                        return f;
                    }
                    poll = Math.min(POLL_MAX_NANOS, poll * 2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException(
                        "interrupted while waiting for the next future to complete");
            }
        }

        private void movePolled() {
            for (Iterator<F> it = polled.iterator(); it.hasNext(); ) {
                F f = it.next();
                if (f.isDone()) {
                    it.remove();
                    completed.add(f);
                }
            }
        }
    }
}
