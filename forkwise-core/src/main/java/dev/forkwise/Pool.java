package dev.forkwise;

import dev.forkwise.advisor.AutoPoolEngine;
import dev.forkwise.engine.PoolEngine;
import dev.forkwise.process.ProcessBackend;
import dev.forkwise.threads.PlatformThreadBackend;
import dev.forkwise.threads.VirtualThreadBackend;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.stream.Gatherer;
import java.util.stream.Stream;

/**
 * A pool of workers that runs tasks: Python's {@code multiprocessing.Pool} and {@code
 * concurrent.futures} executors, as one Java {@link ExecutorService} over several backends.
 *
 * <pre>{@code
 * try (Pool pool = Pool.threads(4)) {
 *     List<Long> sums = pool.map(Work::sumSquares, inputs);       // ordered, like Pool.map
 *     CompletableFuture<Long> f = pool.submit(() -> Work.sumSquares(10_000_000));
 *     pool.imapUnordered(Work::fetch, urls).forEach(System.out::println);
 * }
 * }</pre>
 *
 * <h2>Backends</h2>
 *
 * <ul>
 *   <li>{@link #threads(int)}: a fixed number of platform threads, for work that computes (Java has
 *       no GIL: threads run on every core).
 *   <li>{@link #virtualThreads()} and {@link #virtualThreads(int)}: one virtual thread per task,
 *       for work that mostly waits; thousands at once.
 *   <li>{@link #processes(int)} and {@link #processes(ProcessOptions)}: worker JVMs, for isolation
 *       (a crash, a hang or a leak costs one task) and for work behind a JVM-wide lock.
 * </ul>
 *
 * <p>Task code is the same on every backend: {@link Fn}, {@link Fn2} and {@link Call} are
 * serializable, so the same lambda can later run in a worker JVM.
 *
 * <h2>Inputs and results</h2>
 *
 * <p>Inputs must not be {@code null}: {@code map} checks every element at the call and throws
 * {@link NullPointerException} naming the first null element's index; the lazy {@code imap} family
 * throws it when the null element is pulled. (Wrap optional inputs in {@link java.util.Optional}.)
 * Results may be {@code null}.
 *
 * <h2>Failures</h2>
 *
 * <p>A task that throws completes its future exceptionally with exactly what it threw, as the
 * {@link java.util.concurrent.Future} contract says ({@code get()}'s {@code ExecutionException},
 * {@code join()}'s {@code CompletionException}, {@code exceptionNow()}). The bulk calls ({@code
 * map}, the {@code imap} streams, {@code starmap}, {@link #mapping}) throw a {@link
 * TaskFailedException} that names the failing input, whose cause is what the task threw. {@code
 * map} fails fast: at the first failure it cancels every task that has not started and throws.
 * Tasks submitted after {@link #shutdown()} or {@link #close()} are rejected with {@link
 * java.util.concurrent.RejectedExecutionException} naming the pool.
 *
 * <h2>Lifecycle</h2>
 *
 * <p>{@code RUNNING → SHUTDOWN → TERMINATED}: {@link #shutdown()} stops new submissions and lets
 * submitted work finish; {@link #close()} does that and waits; {@link #shutdownNow()} also
 * interrupts running tasks and cancels the futures of tasks that never started (so nothing waits
 * forever on them). Pool threads are daemon threads: close the pool (try-with-resources) to wait
 * for its work.
 *
 * <p>Memory consistency effects: actions in a thread before it submits a task (by any method of
 * this interface) <i>happen-before</i> the task runs, and the task's actions <i>happen-before</i>
 * the successful return of {@code get()}/{@code join()} on its future, the return of {@code map},
 * and the delivery of its result by an {@code imap} stream. On a process pool, "the task's actions"
 * are those visible through its result: the task runs in another JVM.
 */
public interface Pool extends ExecutorService, AutoCloseable {

    /**
     * Creates a pool of {@code workers} platform threads: for work that computes.
     *
     * @param workers the number of threads, at least 1 (one per core is right for pure computing:
     *     {@code Runtime.getRuntime().availableProcessors()})
     * @return a new pool
     * @throws IllegalArgumentException if {@code workers < 1}
     */
    static Pool threads(int workers) {
        return new PoolEngine(new PlatformThreadBackend(workers));
    }

    /**
     * Creates a pool of platform threads with names and an initializer of your choice (Python's
     * {@code ThreadPoolExecutor(max_workers, thread_name_prefix=, initializer=)}).
     *
     * @param options the number of threads, their name prefix, their initializer
     * @return a new pool
     */
    static Pool threads(ThreadOptions options) {
        Objects.requireNonNull(options, "options must not be null");
        return new PoolEngine(new PlatformThreadBackend(options));
    }

    /**
     * Creates a pool that runs each task on its own new virtual thread, with no bound: for work
     * that mostly waits (sleeps, network, disk). {@link #parallelism()} is {@link
     * Integer#MAX_VALUE}.
     *
     * @return a new pool
     */
    static Pool virtualThreads() {
        return new PoolEngine(new VirtualThreadBackend(VirtualThreadBackend.UNBOUNDED));
    }

    /**
     * Creates a pool that runs each task on its own new virtual thread, at most {@code
     * maxConcurrent} at once; the rest wait in submission order. Use it to respect a limit of the
     * thing being waited on (connections of a server, open files).
     *
     * @param maxConcurrent the most tasks running at once, at least 1
     * @return a new pool
     * @throws IllegalArgumentException if {@code maxConcurrent < 1}
     */
    static Pool virtualThreads(int maxConcurrent) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException(
                    "maxConcurrent must be at least 1, was "
                            + maxConcurrent
                            + " (use Pool.virtualThreads() for no limit)");
        }
        return new PoolEngine(new VirtualThreadBackend(maxConcurrent));
    }

    /** The bound of {@link #auto()}: the most tasks it runs at once. */
    int AUTO_BOUND = 1_024;

    /**
     * Creates a pool that measures its first tasks and chooses where to run them: virtual threads
     * for waiting work, one platform thread per core for computing work, worker JVMs for work that
     * computes behind one global lock; it measures again when its tasks change. At most {@link
     * #AUTO_BOUND} tasks run at once. See {@link AutoPool}.
     */
    static AutoPool auto() {
        return auto(AUTO_BOUND);
    }

    /** Like {@link #auto()}, running at most {@code maxConcurrent} tasks at once. */
    static AutoPool auto(int maxConcurrent) {
        return new AutoPoolEngine(
                maxConcurrent, workers -> new ProcessBackend(ProcessOptions.ofWorkers(workers)));
    }

    /**
     * Creates a pool of worker JVMs, one per core (Python's {@code multiprocessing.Pool()} and
     * {@code ProcessPoolExecutor()}), with default {@link ProcessOptions}.
     *
     * @return a new pool
     */
    static Pool processes() {
        return processes(ProcessOptions.builder().build());
    }

    /**
     * Creates a pool of {@code workers} worker JVMs with default options: for work that computes
     * behind a lock it cannot avoid, or that must be isolated (it may crash, hang or leak).
     *
     * @param workers the number of worker JVMs, at least 1
     * @return a new pool; its workers are starting in the background
     * @throws IllegalArgumentException if {@code workers < 1}
     * @see #processes(ProcessOptions)
     */
    static Pool processes(int workers) {
        return processes(ProcessOptions.ofWorkers(workers));
    }

    /**
     * Creates a pool of worker JVMs: child processes started with this JVM's own {@code java},
     * class path and module path, reused from task to task.
     *
     * <p>The pool never breaks: a worker that dies (a signal, {@code System.exit}, an {@code
     * OutOfMemoryError}, a native crash) fails only the task it was running, with {@link
     * WorkerCrashedException}, and is replaced. A task past {@link ProcessOptions#taskTimeout()}
     * fails with {@link TaskTimeoutException} and its worker is killed and replaced. Workers exit
     * when this JVM dies, however it dies. A task, input or captured value that cannot be
     * serialized fails at the call with {@link NotTransferableException} naming the path to it.
     *
     * @param options how to start and supervise the workers
     * @return a new pool; its workers are starting in the background
     */
    static Pool processes(ProcessOptions options) {
        Objects.requireNonNull(options, "options");
        return new PoolEngine(new ProcessBackend(options));
    }

    /**
     * Returns this pool's name, unique in this JVM, as used in thread names and error messages.
     *
     * @return for example {@code "threads(4)#1"}
     */
    String name();

    /**
     * Returns the most tasks this pool runs at once.
     *
     * @return the bound, or {@link Integer#MAX_VALUE} when there is none
     */
    int parallelism();

    /**
     * Submits a task and returns a future for its result.
     *
     * <p>{@code cancel(true)} on the future interrupts the task if it is running; a task cancelled
     * before it starts never runs.
     *
     * @param task the task
     * @param <R> the result type
     * @return a future completed with the task's result, or exceptionally with what the task threw
     * @throws NullPointerException if {@code task} is null
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    <R> CompletableFuture<R> submit(Call<R> task);

    /**
     * Submits a {@link Callable}; as {@link #submit(Call)}. A lambda written inline becomes a
     * {@link Call}; this overload takes existing {@code Callable} objects, which a process pool can
     * run only if they are serializable.
     */
    @Override
    <T> CompletableFuture<T> submit(Callable<T> task);

    /**
     * Runs {@code action}, which returns nothing, on this pool: the forkwise-typed way to submit a
     * void task on every backend, worker JVMs included ({@link Action} is serializable and may
     * throw). A plain {@code Runnable} lambda is not serializable, so {@link #submit(Runnable)}
     * cannot send one to a worker JVM.
     *
     * @param action the action
     * @return a future that completes with {@code null}, or with what the action threw
     * @throws NullPointerException if {@code action} is null
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    CompletableFuture<Void> run(Action action);

    /** Submits a {@link Runnable}; as {@link #submit(Call)}, the future completes with null. */
    @Override
    CompletableFuture<?> submit(Runnable task);

    /** Submits a {@link Runnable}; as {@link #submit(Call)}, the future completes with result. */
    @Override
    <T> CompletableFuture<T> submit(Runnable task, T result);

    /**
     * Applies {@code fn} to one input asynchronously: Python's {@code apply_async(fn, (input,))}.
     *
     * @param fn the function
     * @param input its input, not null
     * @param <T> the input type
     * @param <R> the result type
     * @return a future for the result
     * @throws NullPointerException if {@code fn} or {@code input} is null
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    <T, R> CompletableFuture<R> applyAsync(Fn<? super T, ? extends R> fn, T input);

    /**
     * Applies {@code fn} to every input in parallel and returns the results in input order, like
     * Python's {@code Pool.map}. Inputs are grouped into chunks chosen automatically: one input per
     * task on an unbounded pool, otherwise about four chunks per worker (Python's rule).
     *
     * @param fn the function
     * @param inputs the inputs; read once, at the call; no element may be null
     * @param <T> the input type
     * @param <R> the result type
     * @return the results, in input order (a mutable list; elements may be null)
     * @throws TaskFailedException at the first task that throws; tasks not yet started are
     *     cancelled
     * @throws NullPointerException if {@code fn}, {@code inputs} or an element is null (the message
     *     names the element's index)
     * @throws java.util.concurrent.CancellationException if a task was cancelled, or the calling
     *     thread was interrupted while waiting (its interrupt status is then set again)
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    <T, R> List<R> map(Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs);

    /**
     * As {@link #map(Fn, Iterable)}, with {@code chunkSize} inputs per task: larger chunks cost
     * less hand-off for tiny tasks, smaller ones balance uneven tasks better.
     *
     * @param fn the function
     * @param inputs the inputs
     * @param chunkSize inputs per task, at least 1
     * @param <T> the input type
     * @param <R> the result type
     * @return the results, in input order
     * @throws IllegalArgumentException if {@code chunkSize < 1}
     */
    <T, R> List<R> map(Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs, int chunkSize);

    /**
     * Applies a two-argument {@code fn} to each pair, like Python's {@code starmap}; results in
     * input order. Create pairs with {@link Map#entry(Object, Object)}; neither part may be null.
     *
     * @param fn the function
     * @param pairs the argument pairs
     * @param <A> the first argument's type
     * @param <B> the second argument's type
     * @param <R> the result type
     * @return the results, in input order
     */
    <A, B, R> List<R> starmap(
            Fn2<? super A, ? super B, ? extends R> fn,
            Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs);

    /**
     * {@link #map(Fn, Iterable)} with a time limit for the whole call (Python's {@code
     * Executor.map(fn, it, timeout=)}): past it, the tasks not finished are cancelled (the running
     * ones interrupted) and the call throws.
     *
     * @param fn the function
     * @param inputs the inputs, none null
     * @param timeout positive
     * @param <T> the input type
     * @param <R> the result type
     * @return the results, in input order
     * @throws MapTimeoutException if the results are not all in within {@code timeout}
     * @throws TaskFailedException at the first task that throws
     */
    <T, R> List<R> map(
            Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs, Duration timeout);

    /**
     * {@link #map(Fn, Iterable, int)} with a time limit for the whole call; see {@link #map(Fn,
     * Iterable, Duration)}.
     *
     * @param fn the function
     * @param inputs the inputs, none null
     * @param chunkSize inputs per task, at least 1
     * @param timeout positive
     * @param <T> the input type
     * @param <R> the result type
     * @return the results, in input order
     * @throws MapTimeoutException if the results are not all in within {@code timeout}
     */
    <T, R> List<R> map(
            Fn<? super T, ? extends R> fn,
            Iterable<? extends T> inputs,
            int chunkSize,
            Duration timeout);

    /**
     * Starts a {@link #map(Fn, Iterable)} and returns at once (Python's {@code map_async}): the
     * future completes with the results in input order, or at the first failure with a {@link
     * TaskFailedException} naming the input (the other tasks are then cancelled). Cancelling the
     * future cancels the tasks.
     *
     * @param fn the function
     * @param inputs the inputs, none null (checked now)
     * @param <T> the input type
     * @param <R> the result type
     * @return the future of the results
     */
    <T, R> CompletableFuture<List<R>> mapAsync(
            Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs);

    /**
     * {@link #mapAsync(Fn, Iterable)} with {@code chunkSize} inputs per task.
     *
     * @param fn the function
     * @param inputs the inputs, none null (checked now)
     * @param chunkSize inputs per task, at least 1
     * @param <T> the input type
     * @param <R> the result type
     * @return the future of the results
     */
    <T, R> CompletableFuture<List<R>> mapAsync(
            Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs, int chunkSize);

    /**
     * Starts a {@link #starmap(Fn2, Iterable)} and returns at once (Python's {@code
     * starmap_async}); see {@link #mapAsync(Fn, Iterable)}.
     *
     * @param fn the two-argument function
     * @param pairs the argument pairs, none null
     * @param <A> the first argument's type
     * @param <B> the second argument's type
     * @param <R> the result type
     * @return the future of the results
     */
    <A, B, R> CompletableFuture<List<R>> starmapAsync(
            Fn2<? super A, ? super B, ? extends R> fn,
            Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs);

    /**
     * Applies a three-argument function to each triple of arguments (Python's {@code starmap(f,
     * [(a, b, c), ...])}); as {@link #starmap(Fn2, Iterable)}. For more arguments, map over a
     * record.
     *
     * @param fn the function
     * @param triples lists of exactly three non-null arguments (checked at the call)
     * @param <A> the first argument's type
     * @param <B> the second argument's type
     * @param <C> the third argument's type
     * @param <R> the result type
     * @return the results, in input order
     * @throws IllegalArgumentException if an element is not three non-null arguments
     */
    <A, B, C, R> List<R> starmap(
            Fn3<? super A, ? super B, ? super C, ? extends R> fn,
            Iterable<? extends List<?>> triples);

    /**
     * Applies {@code fn} lazily, in input order: a stream that pulls inputs as it goes, like
     * Python's {@code imap}. At most {@code 2 × parallelism} tasks (and never more than 4,096) are
     * in flight, so an infinite input works in bounded memory: {@code pool.imap(f,
     * infinite).limit(10)} reads only a little past ten inputs. Inputs are read by the thread that
     * consumes the stream. Closing the stream cancels the tasks in flight.
     *
     * @param fn the function
     * @param inputs the inputs, read lazily
     * @param <T> the input type
     * @param <R> the result type
     * @return a sequential stream of results in input order; it throws {@link TaskFailedException}
     *     when it reaches a failed task, after cancelling the tasks in flight
     */
    <T, R> Stream<R> imap(Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs);

    /**
     * As {@link #imap(Fn, Iterable)} with {@code chunkSize} inputs per task.
     *
     * @param fn the function
     * @param inputs the inputs, read lazily
     * @param chunkSize inputs per task, at least 1
     * @param <T> the input type
     * @param <R> the result type
     * @return a sequential stream of results in input order
     */
    <T, R> Stream<R> imap(
            Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs, int chunkSize);

    /**
     * As {@link #imap(Fn, Iterable)}, but results come in the order tasks complete, like Python's
     * {@code imap_unordered}.
     *
     * @param fn the function
     * @param inputs the inputs, read lazily
     * @param <T> the input type
     * @param <R> the result type
     * @return a sequential stream of results in completion order
     */
    <T, R> Stream<R> imapUnordered(Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs);

    /**
     * As {@link #imapUnordered(Fn, Iterable)} with {@code chunkSize} inputs per task.
     *
     * @param fn the function
     * @param inputs the inputs, read lazily
     * @param chunkSize inputs per task, at least 1
     * @param <T> the input type
     * @param <R> the result type
     * @return a sequential stream of results in completion order
     */
    <T, R> Stream<R> imapUnordered(
            Fn<? super T, ? extends R> fn, Iterable<? extends T> inputs, int chunkSize);

    /**
     * A stream stage that applies {@code fn} on this pool, keeping the stream's order with a
     * bounded number of tasks in flight (at most twice the parallelism): {@code
     * stream.gather(pool.mapping(fn))}, the JDK's {@code Gatherers.mapConcurrent} on any backend,
     * worker JVMs included. A failing input fails the stream with a {@link TaskFailedException}
     * naming it; a short-circuiting downstream ({@code limit}, {@code findFirst}) cancels what is
     * still running.
     *
     * @param fn the function
     * @param <T> the input type
     * @param <R> the result type
     * @return the gatherer
     */
    <T, R> Gatherer<T, ?, R> mapping(Fn<? super T, ? extends R> fn);

    /**
     * {@link #mapping(Fn)} with {@code chunkSize} inputs per task, for tiny tasks.
     *
     * @param fn the function
     * @param chunkSize inputs per task, at least 1
     * @param <T> the input type
     * @param <R> the result type
     * @return the gatherer
     */
    <T, R> Gatherer<T, ?, R> mapping(Fn<? super T, ? extends R> fn, int chunkSize);

    /**
     * Returns what this pool has done so far: its tasks by state and outcome, and its worker JVMs.
     * A task is what the pool runs: one {@code submit}, or one chunk of a {@code map}. The same
     * figures are published over JMX as {@code dev.forkwise:type=Pool,name=<name>} while the pool
     * is open.
     *
     * @return a snapshot
     */
    Stats stats();

    /**
     * A snapshot of a pool's counters ({@link #stats()}). Each counter is read on its own, so a
     * snapshot taken while tasks run may be off by the tasks that moved meanwhile.
     *
     * @param submitted tasks handed to the pool
     * @param queued tasks waiting for a thread or a worker
     * @param running tasks started and not yet ended
     * @param completed tasks that returned
     * @param failed tasks that threw (or whose result could not be sent back)
     * @param cancelled tasks cancelled (including those {@code shutdownNow} never started)
     * @param crashed tasks whose worker JVM died under them
     * @param timedOut tasks stopped at their time limit
     * @param workersAlive worker JVMs alive now (0 for thread pools)
     * @param workersRestarted worker JVMs started to replace others (crashed, killed, recycled)
     */
    record Stats(
            long submitted,
            long queued,
            long running,
            long completed,
            long failed,
            long cancelled,
            long crashed,
            long timedOut,
            int workersAlive,
            long workersRestarted) {}

    /**
     * Shuts the pool down and waits until every submitted task has finished, as {@link
     * ExecutorService#close()}: if interrupted while waiting, it calls {@link #shutdownNow()},
     * keeps waiting, and sets the interrupt status again before it returns.
     */
    @Override
    void close();
}
