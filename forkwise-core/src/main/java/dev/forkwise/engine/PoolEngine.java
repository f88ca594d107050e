package dev.forkwise.engine;

import dev.forkwise.Action;
import dev.forkwise.Call;
import dev.forkwise.Fn;
import dev.forkwise.Fn2;
import dev.forkwise.Fn3;
import dev.forkwise.MapTimeoutException;
import dev.forkwise.Pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Gatherer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The one implementation of {@link Pool}, over any {@link Backend}.
 *
 * <h2>Implementation overview</h2>
 *
 * <p><b>Division of labour.</b> The backend only runs {@link TaskFuture}s and owns the lifecycle
 * state ({@code RUNNING → SHUTDOWN → TERMINATED}); this class validates every call at the call,
 * names tasks, splits {@code map} input into {@link Chunk}s, gathers results, and turns failures
 * into forkwise's exceptions. So every backend behaves the same, and the backend conformance suite
 * tests this class once per backend.
 *
 * <p><b>Validation first.</b> Each public method checks its arguments (null task, null input
 * element, bad chunk size) and that the pool still runs before it hands anything to the backend, so
 * a bad call fails at once and submits nothing. A shutdown racing with a multi-task call is caught
 * when the backend rejects a task: the tasks already handed over are cancelled and the call throws.
 *
 * <p><b>map.</b> All inputs are read and checked at the call, then grouped into chunks, each handed
 * over as it is made ({@link BulkCall}). The caller waits on one future that completes when the
 * last chunk succeeds or exceptionally at the first failure; on failure every chunk is cancelled
 * (one not started never runs; one running finishes and is ignored) and the first failure is
 * thrown.
 *
 * <p><b>imap.</b> See {@link LazyMap}: lazy, bounded, pulled on the consumer's thread.
 */
public class PoolEngine implements Pool {

    /** Most chunks an imap stream keeps in flight, whatever the pool's parallelism. */
    static final int MAX_WINDOW = 4096;

    private static final AtomicLong POOLS = new AtomicLong();

    private final Backend backend;
    private final String name;
    private final AtomicLong submitted = new AtomicLong();
    private final TaskWatch watch;
    private final PoolBean bean;

    /**
     * Creates and starts a pool over {@code backend}.
     *
     * @param backend the backend, not yet started
     */
    public PoolEngine(Backend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.name = backend.kind() + "#" + POOLS.incrementAndGet();
        this.watch = new TaskWatch(name);
        backend.start(name);
        this.bean = PoolBean.register(this);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int parallelism() {
        return backend.parallelism();
    }

    @Override
    public Stats stats() {
        return watch.snapshot(backend.workersAlive(), backend.workersRestarted());
    }

    @Override
    public String toString() {
        String state =
                backend.isTerminated()
                        ? "terminated"
                        : backend.isShutdown() ? "shutting down" : "running";
        return "Pool[" + name + ", " + state + "]";
    }

    // ---------------------------------------------------------------- single tasks

    @Override
    public <R> CompletableFuture<R> submit(Call<R> task) {
        Objects.requireNonNull(task, "task must not be null");
        requireRunning();
        return dispatch(nextTaskName(), task);
    }

    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task must not be null");
        requireRunning();
        return dispatch(nextTaskName(), task);
    }

    @Override
    public CompletableFuture<Void> run(Action action) {
        Objects.requireNonNull(action, "action must not be null");
        requireRunning();
        return dispatch(nextTaskName(), action.asCall());
    }

    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return submit(task, null);
    }

    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task must not be null");
        requireRunning();
        return dispatch(nextTaskName(), new RunnableCall<>(task, result));
    }

    /**
     * Runs {@code command} like {@link #submit(Runnable)}; if it throws, the exception goes to the
     * uncaught-exception handler of the thread that completes it, as with a plain thread.
     */
    @Override
    public void execute(Runnable command) {
        submit(command)
                .whenComplete(
                        (r, e) -> {
                            if (e != null && !(e instanceof CancellationException)) {
                                Thread t = Thread.currentThread();
                                t.getUncaughtExceptionHandler().uncaughtException(t, e);
                            }
                        });
    }

    @Override
    public <T, R> CompletableFuture<R> applyAsync(Fn<? super T, ? extends R> fn, T input) {
        Objects.requireNonNull(fn, "fn must not be null");
        Objects.requireNonNull(
                input,
                "input must not be null: forkwise does not pass null inputs" + Inputs.NULL_FIX);
        requireRunning();
        Chunk chunk = new Chunk("applyAsync", erase(fn), new Object[] {input}, 0);
        Call<R> one = new FirstResult<>(chunk);
        return dispatch(chunk, one);
    }

    // ---------------------------------------------------------------- map

    @Override
    public <T, R> List<R> map(Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs) {
        return await("map", this.<T, R>startMap("map", fn, inputs, 0), null);
    }

    @Override
    public <T, R> List<R> map(
            Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs, int chunkSize) {
        requireChunkSize(chunkSize);
        return await("map", this.<T, R>startMap("map", fn, inputs, chunkSize), null);
    }

    @Override
    public <T, R> List<R> map(
            Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs, Duration timeout) {
        requireTimeout(timeout);
        return await("map", this.<T, R>startMap("map", fn, inputs, 0), timeout);
    }

    @Override
    public <T, R> List<R> map(
            Fn<? super T, ? extends R> fn,
            Iterable<? extends T> inputs,
            int chunkSize,
            Duration timeout) {
        requireChunkSize(chunkSize);
        requireTimeout(timeout);
        return await("map", this.<T, R>startMap("map", fn, inputs, chunkSize), timeout);
    }

    @Override
    public <T, R> CompletableFuture<List<R>> mapAsync(
            Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs) {
        return this.<T, R>startMap("mapAsync", fn, inputs, 0).result();
    }

    @Override
    public <T, R> CompletableFuture<List<R>> mapAsync(
            Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs, int chunkSize) {
        requireChunkSize(chunkSize);
        return this.<T, R>startMap("mapAsync", fn, inputs, chunkSize).result();
    }

    @Override
    public <A, B, R> List<R> starmap(
            Fn2<? super A, ? super B, ? extends R> fn,
            Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs) {
        return await("starmap", this.<A, B, R>startStarmap("starmap", fn, pairs), null);
    }

    @Override
    public <A, B, R> CompletableFuture<List<R>> starmapAsync(
            Fn2<? super A, ? super B, ? extends R> fn,
            Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs) {
        return this.<A, B, R>startStarmap("starmapAsync", fn, pairs).result();
    }

    @Override
    public <A, B, C, R> List<R> starmap(
            Fn3<? super A, ? super B, ? super C, ? extends R> fn,
            Iterable<? extends List<?>> triples) {
        Objects.requireNonNull(fn, "fn must not be null");
        Objects.requireNonNull(triples, "triples must not be null");
        List<Triple> args = new ArrayList<>();
        int i = 0;
        for (List<?> t : triples) {
            if (t == null || t.size() != 3 || t.stream().anyMatch(Objects::isNull)) {
                throw new IllegalArgumentException(
                        "starmap triple #"
                                + i
                                + " must be a list of exactly three non-null"
                                + " arguments for a three-argument function, was "
                                + t);
            }
            args.add(new Triple(t.get(0), t.get(1), t.get(2)));
            i++;
        }
        @SuppressWarnings("unchecked")
        Fn3<Object, Object, Object, R> f = (Fn3<Object, Object, Object, R>) fn;
        return await(
                "starmap",
                this.<Triple, R>startMap(
                        "starmap", (Triple t) -> f.apply(t.a(), t.b(), t.c()), args, 0),
                null);
    }

    private <A, B, R> BulkCall<R> startStarmap(
            String label,
            Fn2<? super A, ? super B, ? extends R> fn,
            Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs) {
        Objects.requireNonNull(fn, "fn must not be null");
        Objects.requireNonNull(pairs, "pairs must not be null");
        List<Pair> args = new ArrayList<>();
        int i = 0;
        for (Map.Entry<? extends A, ? extends B> e : pairs) {
            if (e == null || e.getKey() == null || e.getValue() == null) {
                throw new NullPointerException(
                        label + " pair #" + i + " is null or has a null part: " + e);
            }
            args.add(new Pair(e.getKey(), e.getValue()));
            i++;
        }
        @SuppressWarnings("unchecked")
        Fn2<Object, Object, R> f = (Fn2<Object, Object, R>) fn;
        return this.<Pair, R>startMap(label, (Pair p) -> f.apply(p.a(), p.b()), args, 0);
    }

    private <T, R> BulkCall<R> startMap(
            String label, Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs, int chunk) {
        Objects.requireNonNull(fn, "fn must not be null");
        Objects.requireNonNull(inputs, "inputs must not be null");
        Object[] items = toArrayRejectingNulls(label, inputs);
        requireRunning();
        int size = items.length == 0 ? 1 : chunk > 0 ? chunk : autoChunk(items.length);
        int count = (items.length + size - 1) / size;
        BulkCall<R> call = new BulkCall<>(count, items.length);
        if (count == 0) {
            call.result().complete(new ArrayList<>());
            return call;
        }
        // counted as submitted at once, not chunk by chunk on a counter the running chunks share a
        // cache line with; what is not handed over below is taken back
        watch.submitted(count);
        int handedOver = 0;
        try {
            // each chunk is handed over as it is made: the first runs while the rest are made
            for (int start = 0; start < items.length; start += size) {
                Object[] slice =
                        Arrays.copyOfRange(items, start, Math.min(items.length, start + size));
                Chunk c = new Chunk(label, erase(fn), slice, start);
                TaskFuture<Object[]> f = TaskFuture.forBulk(c, c);
                if (!call.add(f)) {
                    break; // a chunk failed already: the call has ended
                }
                dispatchCounted(f);
                handedOver++;
            }
        } catch (RuntimeException e) { // refused (a shutdown raced with the call, or not sendable)
            call.cancelAll(false);
            throw e;
        } finally {
            watch.rejected(count - handedOver);
        }
        call.result()
                .whenComplete(
                        (r, e) -> {
                            if (call.result().isCancelled()) {
                                call.cancelAll(true);
                            }
                        });
        return call;
    }

    /**
     * Waits for a bulk call's result: its first failure is thrown; an interrupt or the time limit
     * cancels every chunk (interrupting the running ones).
     */
    private static <R> List<R> await(String label, BulkCall<R> call, Duration timeout) {
        try {
            return timeout == null
                    ? call.result().get()
                    : call.result().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw asUnchecked(e.getCause());
        } catch (InterruptedException e) {
            call.cancelAll(true);
            Thread.currentThread().interrupt();
            throw new CancellationException(
                    label + " was interrupted while waiting; its tasks were cancelled");
        } catch (TimeoutException e) {
            int done = call.inputsDone();
            call.cancelAll(true);
            throw new MapTimeoutException(label, timeout, done, call.inputs());
        }
    }

    private static void requireTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    private static RuntimeException asUnchecked(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(t);
    }

    // ---------------------------------------------------------------- imap

    @Override
    public <T, R> Stream<R> imap(Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs) {
        return lazy("imap", fn, inputs, 1, true);
    }

    @Override
    public <T, R> Stream<R> imap(
            Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs, int chunkSize) {
        requireChunkSize(chunkSize);
        return lazy("imap", fn, inputs, chunkSize, true);
    }

    @Override
    public <T, R> Stream<R> imapUnordered(
            Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs) {
        return lazy("imapUnordered", fn, inputs, 1, false);
    }

    @Override
    public <T, R> Stream<R> imapUnordered(
            Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs, int chunkSize) {
        requireChunkSize(chunkSize);
        return lazy("imapUnordered", fn, inputs, chunkSize, false);
    }

    @Override
    public <T, R> Gatherer<T, ?, R> mapping(Fn<? super T, ? extends R> fn) {
        return mapping(fn, 1);
    }

    @Override
    public <T, R> Gatherer<T, ?, R> mapping(Fn<? super T, ? extends R> fn, int chunkSize) {
        Objects.requireNonNull(fn, "fn must not be null");
        requireChunkSize(chunkSize);
        int window = (int) Math.min(MAX_WINDOW, Math.max(2L, 2L * parallelism()));
        @SuppressWarnings("unchecked")
        Gatherer<T, ?, R> g =
                (Gatherer<T, ?, R>)
                        (Gatherer<?, ?, ?>) new Mapping<R>(this, erase(fn), chunkSize, window);
        return g;
    }

    private <T, R> Stream<R> lazy(
            String label,
            Fn<? super T, ? extends R> fn,
            Iterable<? extends T> inputs,
            int chunkSize,
            boolean ordered) {
        Objects.requireNonNull(fn, "fn must not be null");
        Objects.requireNonNull(inputs, "inputs must not be null");
        requireRunning();
        int window = (int) Math.min(MAX_WINDOW, Math.max(2L, 2L * parallelism()));
        LazyMap<R> it =
                new LazyMap<>(
                        this, label, erase(fn), inputs.iterator(), chunkSize, window, ordered);
        int characteristics = ordered ? Spliterator.ORDERED : 0;
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, characteristics), false)
                .onClose(it::close);
    }

    // ---------------------------------------------------------------- invokeAll / invokeAny

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks)
            throws InterruptedException {
        List<Future<T>> futures = submitAll(tasks);
        try {
            for (Future<T> f : futures) {
                awaitQuietly(f);
            }
            return futures;
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            throw e;
        }
    }

    @Override
    public <T> List<Future<T>> invokeAll(
            Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        Objects.requireNonNull(unit, "unit must not be null");
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<Future<T>> futures = submitAll(tasks);
        try {
            for (Future<T> f : futures) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    f.get(left, TimeUnit.NANOSECONDS);
                } catch (ExecutionException | CancellationException ignored) {
                    // reported through the future
                } catch (TimeoutException ignored) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            throw e;
        }
        futures.forEach(f -> f.cancel(true)); // no-op on those already done
        return futures;
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks)
            throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("unreachable: no deadline", e);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit must not be null");
        List<Future<T>> futures = submitAll(tasks);
        if (futures.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        CompletableFuture<T> first = new CompletableFuture<>();
        AtomicInteger failures = new AtomicInteger();
        for (Future<T> f : futures) {
            ((CompletableFuture<T>) f)
                    .whenComplete(
                            (r, e) -> {
                                if (e == null) {
                                    first.complete(r);
                                } else if (failures.incrementAndGet() == futures.size()) {
                                    first.completeExceptionally(e);
                                }
                            });
        }
        try {
            return timeout == Long.MAX_VALUE && unit == TimeUnit.NANOSECONDS
                    ? first.get()
                    : first.get(timeout, unit);
        } finally {
            futures.forEach(f -> f.cancel(true));
        }
    }

    private <T> List<Future<T>> submitAll(Collection<? extends Callable<T>> tasks) {
        Objects.requireNonNull(tasks, "tasks must not be null");
        int i = 0;
        for (Callable<T> t : tasks) {
            if (t == null) {
                throw new NullPointerException("tasks element #" + i + " is null");
            }
            i++;
        }
        requireRunning();
        List<Future<T>> futures = new ArrayList<>(i);
        try {
            for (Callable<T> t : tasks) {
                futures.add(dispatch(nextTaskName(), t));
            }
        } catch (RejectedExecutionException e) {
            futures.forEach(f -> f.cancel(false));
            throw e;
        }
        return futures;
    }

    private static void awaitQuietly(Future<?> f) throws InterruptedException {
        try {
            f.get();
        } catch (ExecutionException | CancellationException ignored) {
            // reported through the future
        }
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void shutdown() {
        backend.shutdown();
    }

    /**
     * Shuts down at once: running tasks are interrupted, and tasks that never started have their
     * futures cancelled (so nothing waits on them forever) and are returned.
     */
    @Override
    public List<Runnable> shutdownNow() {
        List<TaskFuture<?>> never = backend.shutdownNow();
        List<Runnable> out = new ArrayList<>(never.size());
        for (TaskFuture<?> f : never) {
            f.cancel(false);
            out.add(f);
        }
        return out;
    }

    @Override
    public boolean isShutdown() {
        return backend.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        boolean t = backend.isTerminated();
        if (t) {
            terminated();
        }
        return t;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit must not be null");
        boolean t = backend.awaitTermination(timeout, unit);
        if (t) {
            terminated();
        }
        return t;
    }

    /** Whether the backend has terminated, without the bookkeeping of {@link #isTerminated()}. */
    boolean backendTerminated() {
        return backend.isTerminated();
    }

    /** The pool has terminated: it leaves JMX. */
    private void terminated() {
        PoolBean b = bean;
        if (b != null) {
            b.unregisterIfTerminated();
        }
    }

    @Override
    public void close() {
        if (isTerminated()) {
            return;
        }
        shutdown();
        boolean interrupted = false;
        boolean terminated = false;
        while (!terminated) {
            try {
                terminated = awaitTermination(1, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- internals

    /**
     * Hands one task to the backend; rejection names this pool. Its future fails with the task's
     * own exception.
     */
    <R> TaskFuture<R> dispatch(Supplier<String> description, Callable<R> task) {
        return dispatch(new TaskFuture<>(description, task));
    }

    /**
     * Hands one chunk of a bulk call to the backend; its future fails with a {@code
     * TaskFailedException} naming the input.
     */
    <R> TaskFuture<R> dispatchBulk(Supplier<String> description, Callable<R> task) {
        return dispatch(TaskFuture.forBulk(description, task));
    }

    private <R> TaskFuture<R> dispatch(TaskFuture<R> f) {
        watch.submitted(1);
        try {
            dispatchCounted(f);
        } catch (RuntimeException e) {
            watch.rejected(1); // refused (shut down, or cannot be sent): never submitted
            throw e;
        }
        return f;
    }

    /** Hands {@code f} to the backend; the caller has counted it as submitted. */
    private void dispatchCounted(TaskFuture<?> f) {
        f.watchedBy(watch);
        try {
            backend.execute(f);
        } catch (RejectedExecutionException e) {
            throw rejected(e);
        }
    }

    private void requireRunning() {
        if (backend.isShutdown()) {
            throw rejected(null);
        }
    }

    private RejectedExecutionException rejected(Throwable cause) {
        return new RejectedExecutionException(
                "pool "
                        + name
                        + " is shut down and takes no new tasks: submit before shutdown() or"
                        + " close(), or create a new pool",
                cause);
    }

    /** The next task's name, built only when something reads it. */
    private Supplier<String> nextTaskName() {
        long n = submitted.incrementAndGet();
        return () -> "task #" + n + " of pool " + name;
    }

    private int autoChunk(int n) {
        int p = backend.chunkingParallelism();
        if (p == Integer.MAX_VALUE) {
            return 1;
        }
        long chunks = 4L * p;
        return (int) Math.max(1, (n + chunks - 1) / chunks);
    }

    private static void requireChunkSize(int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException(
                    "chunkSize must be at least 1, was "
                            + chunkSize
                            + " (leave it out to have it chosen automatically)");
        }
    }

    private static Object[] toArrayRejectingNulls(String label, Iterable<?> inputs) {
        Object[] items;
        if (inputs instanceof Collection<?> c) {
            items = c.toArray(); // one copy, no regrowth
            if (items.getClass() != Object[].class) {
                items =
                        Arrays.copyOf(
                                items,
                                items.length,
                                Object[].class); // a collection that returns a typed array
            }
        } else {
            List<Object> list = new ArrayList<>();
            inputs.forEach(list::add);
            items = list.toArray();
        }
        for (int i = 0; i < items.length; i++) {
            if (items[i] == null) {
                throw new NullPointerException(
                        label
                                + " input #"
                                + i
                                + " is null: forkwise does not pass null inputs"
                                + Inputs.NULL_FIX);
            }
        }
        return items;
    }

    @SuppressWarnings("unchecked")
    private static Fn<Object, ?> erase(Fn<?, ?> fn) {
        return (Fn<Object, ?>) fn;
    }
}
