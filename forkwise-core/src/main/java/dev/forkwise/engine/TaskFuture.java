package dev.forkwise.engine;

import dev.forkwise.TaskFailedException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One task and its result: the {@link CompletableFuture} a user holds, and the {@link Runnable} a
 * thread backend runs.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>One object per task: this future is also what a thread runs, with no {@link
 * java.util.concurrent.FutureTask} inside. It keeps FutureTask's guarantees for cancellation. A
 * task runs at most once ({@code RUN}, a compare-and-set). A task cancelled before it starts never
 * runs: {@link #run()} publishes its thread ({@code runner}) and then looks whether the future is
 * done, while {@code cancel} completes the future and then looks for a thread to interrupt, so one
 * of the two sees the other (both are volatile). {@code cancel(true)} interrupts only the thread
 * running this task: {@link #run()} does not return while a cancel is delivering its interrupt
 * ({@code interrupting}), so the interrupt cannot land on whatever the thread runs next once it has
 * been cleared by the pool (as FutureTask's {@code handlePossibleCancellationInterrupt}).
 *
 * <p>A bulk call's bookkeeping is one listener per call ({@link #whenDone}), not a completion stage
 * per chunk.
 *
 * <p><b>What a failure looks like.</b> A future that a user holds ({@code submit}, {@code
 * invokeAll}, {@code applyAsync}, {@code run}) fails with exactly what the task threw, as the
 * {@link java.util.concurrent.Future} contract says: {@code get()}'s {@code ExecutionException},
 * {@code join()}'s {@code CompletionException} and {@code exceptionNow()} carry the task's own
 * exception. The chunks of a bulk call ({@code map}, {@code imap}, {@code starmap}) fail with a
 * {@link TaskFailedException} that names the input, the original as its cause ({@link #forBulk}). A
 * task that itself throws {@code CancellationException} fails; it is not taken for cancelled.
 *
 * <p>A remote backend does not call {@link #run()}; it sends {@link #task()} elsewhere and calls
 * {@link #completeRemotely} or {@link #failRemotely} with the outcome.
 *
 * <p>Memory consistency effects: actions of the task happen-before the completion of this future
 * (the task runs, then the same thread completes it: CompletableFuture's own guarantee carries it
 * to whoever reads the result), and actions before a hand-off to a backend happen-before the task
 * runs (the executor's guarantee).
 */
public final class TaskFuture<R> extends CompletableFuture<R> implements Runnable {

    /** What the task is: a {@code String}, or a {@code Supplier<String>} asked only when needed. */
    private volatile Object description;

    private final Callable<R> task;
    private final boolean bulk;

    /** Whether {@link #run()} has taken the task; once, by {@link #RUN}. */
    private volatile boolean taken;

    /** The thread running the task, while it runs. */
    private volatile Thread runner;

    /** A {@code cancel(true)} is interrupting {@link #runner}. */
    private volatile boolean interrupting;

    /**
     * Told once when the future completes (a bulk call's bookkeeping), or null. Set before the
     * hand-off to a backend and read after it (release, acquire: no fence on the task's path).
     */
    private Consumer<TaskFuture<?>> onDone;

    /** Told once if the future is cancelled (a remote backend's clean-up), or null. */
    private volatile Runnable onCancel;

    private volatile boolean interruptRequested;

    /** Its pool's watch, or null for a task no pool runs; set before the hand-off, as onDone. */
    private TaskWatch watch;

    /**
     * Whether it was counted as started, and its event: written by the thread that runs it and read
     * by the one that ends it, usually the same (release, acquire).
     */
    private boolean startedFlag;

    private TaskWatch.TaskEvent event;

    /** Who ran it, for its event: set only while a recording wants the event. */
    private volatile String worker;

    /** Whether its end was reported; set once, by {@link #ENDED}. */
    private volatile boolean endReported;

    private static final VarHandle ENDED;
    private static final VarHandle RUN;
    private static final VarHandle CANCEL_TOLD;
    private static final VarHandle ON_DONE;
    private static final VarHandle WATCH;
    private static final VarHandle STARTED;
    private static final VarHandle EVENT;

    /** Whether {@link #onCancel} has run; set once, by {@link #CANCEL_TOLD}. */
    private volatile boolean cancelTold;

    static {
        try {
            ENDED =
                    MethodHandles.lookup()
                            .findVarHandle(TaskFuture.class, "endReported", boolean.class);
            RUN = MethodHandles.lookup().findVarHandle(TaskFuture.class, "taken", boolean.class);
            CANCEL_TOLD =
                    MethodHandles.lookup()
                            .findVarHandle(TaskFuture.class, "cancelTold", boolean.class);
            MethodHandles.Lookup l = MethodHandles.lookup();
            ON_DONE = l.findVarHandle(TaskFuture.class, "onDone", Consumer.class);
            WATCH = l.findVarHandle(TaskFuture.class, "watch", TaskWatch.class);
            STARTED = l.findVarHandle(TaskFuture.class, "startedFlag", boolean.class);
            EVENT = l.findVarHandle(TaskFuture.class, "event", TaskWatch.TaskEvent.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Creates a task that has not started.
     *
     * @param description what the task is, for error messages
     * @param task the work
     */
    public TaskFuture(String description, Callable<R> task) {
        this((Object) Objects.requireNonNull(description, "description"), task, false);
    }

    /**
     * Creates a task that has not started, whose description is built only if something reads it (a
     * failure's message, a recording's event): a submit builds no string.
     *
     * @param description what the task is, for error messages
     * @param task the work
     */
    public TaskFuture(Supplier<String> description, Callable<R> task) {
        this((Object) Objects.requireNonNull(description, "description"), task, false);
    }

    private TaskFuture(Object description, Callable<R> task, boolean bulk) {
        this.description = description;
        this.task = Objects.requireNonNull(task, "task");
        this.bulk = bulk;
    }

    /**
     * Creates a task that is part of a bulk call: it fails with a {@link TaskFailedException} that
     * names the input, the task's exception as its cause.
     *
     * @param description what the task is, for error messages
     * @param task the work
     * @param <R> the result's type
     * @return the task, not started
     */
    public static <R> TaskFuture<R> forBulk(Supplier<String> description, Callable<R> task) {
        return new TaskFuture<>(Objects.requireNonNull(description, "description"), task, true);
    }

    /**
     * Returns what this task is, for messages.
     *
     * @return the description
     */
    public String description() {
        Object d = description;
        if (d instanceof String s) {
            return s;
        }
        @SuppressWarnings("unchecked")
        String s = ((Supplier<String>) d).get();
        description = s; // racy but benign: every thread builds the same string
        return s;
    }

    /**
     * Returns the work itself, for backends that run it elsewhere.
     *
     * @return the task
     */
    public Callable<R> task() {
        return task;
    }

    /** Runs the task on the calling thread, unless it was cancelled first; at most once. */
    @Override
    public void run() {
        if (isDone() || !RUN.compareAndSet(this, false, true)) {
            return;
        }
        runner = Thread.currentThread();
        try {
            if (isDone()) {
                return; // cancelled (or failed instead) just now: it never runs
            }
            if (begin()) {
                Thread t = Thread.currentThread();
                worker = t.getName().isEmpty() ? "thread #" + t.threadId() : t.getName();
            }
            R result;
            try {
                result = task.call();
            } catch (Throwable t) {
                completeExceptionally(wrap(t));
                return;
            }
            complete(result);
        } finally {
            runner = null;
            while (interrupting) {
                Thread.onSpinWait(); // a cancel(true) is delivering its interrupt to this thread
            }
        }
    }

    /**
     * Tells {@code listener} once, on the completing thread, when this future completes; set before
     * the task is handed to a backend.
     *
     * @param listener what to tell
     */
    void whenDone(Consumer<TaskFuture<?>> listener) {
        ON_DONE.setRelease(this, listener);
    }

    /**
     * Runs {@code action} once if this future is cancelled, on the cancelling thread, or at once if
     * it already was: how a backend that runs tasks elsewhere learns of a cancel, with no
     * completion stage per task.
     *
     * @param action what to run
     */
    public void onCancel(Runnable action) {
        this.onCancel = action;
        if (isCancelled() && CANCEL_TOLD.compareAndSet(this, false, true)) {
            action.run();
        }
    }

    private void done() {
        @SuppressWarnings("unchecked")
        Consumer<TaskFuture<?>> l = (Consumer<TaskFuture<?>>) ON_DONE.getAcquire(this);
        if (l != null) {
            l.accept(this);
        }
    }

    /**
     * Reports to {@code w} from now on: the engine's, as it hands the task to its backend (which
     * has counted it as submitted).
     */
    void watchedBy(TaskWatch w) {
        WATCH.setRelease(this, w);
    }

    /**
     * Says that the task starts: on the thread that runs it, or, for a task sent to a worker JVM,
     * as it is sent (its worker given as the pid).
     *
     * @param where the thread's name, or {@code "pid N"}
     */
    public void started(String where) {
        if (begin()) {
            worker = where;
        }
    }

    /**
     * Like {@link #started(String)}, with the place built only if a recording wants it.
     *
     * @param where the thread's name, or where the task was sent
     */
    public void started(Supplier<String> where) {
        if (begin()) {
            worker = where.get();
        }
    }

    /**
     * Counts the start; returns whether a recording wants its event, and so who ran it (the name is
     * built only then: this is every task's path).
     */
    private boolean begin() {
        TaskWatch w = (TaskWatch) WATCH.getAcquire(this);
        if (w == null || (boolean) STARTED.getAcquire(this) || endReported) {
            return false;
        }
        STARTED.setRelease(this, true);
        TaskWatch.TaskEvent e = w.started();
        if (e != null) {
            e.task = description();
            EVENT.setRelease(this, e);
        }
        return e != null;
    }

    @Override
    public boolean complete(R value) {
        boolean did = super.complete(value);
        if (did) {
            // the one end of this future: no cancel can follow a normal completion, so unlike
            // the other ends this one needs no claim on ENDED
            TaskWatch w = (TaskWatch) WATCH.getAcquire(this);
            if (w != null) {
                w.succeeded(
                        (boolean) STARTED.getAcquire(this),
                        (TaskWatch.TaskEvent) EVENT.getAcquire(this),
                        worker);
            }
            done();
        }
        return did;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        boolean did = super.completeExceptionally(ex);
        if (did) {
            ended(ex);
            done();
        }
        return did;
    }

    private void ended(Throwable failure) {
        TaskWatch w = (TaskWatch) WATCH.getAcquire(this);
        if (w != null && ENDED.compareAndSet(this, false, true)) {
            w.ended(
                    (boolean) STARTED.getAcquire(this),
                    failure,
                    (TaskWatch.TaskEvent) EVENT.getAcquire(this),
                    worker);
        }
    }

    /**
     * Completes this task with a result computed elsewhere.
     *
     * @param result the result
     */
    public void completeRemotely(R result) {
        complete(result);
    }

    /**
     * Completes this task with the exception it threw elsewhere.
     *
     * @param thrown what the task threw
     */
    public void failRemotely(Throwable thrown) {
        completeExceptionally(wrap(thrown));
    }

    /**
     * Fails this task with {@code why} instead of running it (its pool cannot run it: an
     * initializer failed); a later {@link #run()} does nothing.
     *
     * @param why the failure
     */
    public void failInstead(Throwable why) {
        completeExceptionally(why); // run() then finds it done
    }

    /**
     * Cancels the task: if it has not started it never will; if it is running and {@code
     * mayInterruptIfRunning} is true, its thread is interrupted.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (mayInterruptIfRunning) {
            interruptRequested = true;
        }
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && mayInterruptIfRunning) {
            interrupting = true; // before runner is read: run() waits for this to end
            try {
                Thread t = runner;
                if (t != null) {
                    t.interrupt();
                }
            } finally {
                interrupting = false;
            }
        }
        if (isCancelled()) {
            ended(new CancellationException());
        }
        if (cancelled) {
            Runnable a = onCancel;
            if (a != null && CANCEL_TOLD.compareAndSet(this, false, true)) {
                a.run();
            }
            done();
        }
        return cancelled;
    }

    /**
     * Returns whether the task was cancelled with {@code mayInterruptIfRunning}, so a remote
     * backend knows to interrupt it where it runs.
     *
     * @return true after {@code cancel(true)}
     */
    public boolean interruptRequested() {
        return interruptRequested;
    }

    @Override
    public String toString() {
        return description() + " " + super.toString();
    }

    /** What this future fails with when the task threw {@code thrown} (see the class comment). */
    private Throwable wrap(Throwable thrown) {
        if (bulk) {
            return thrown instanceof InputFailure input
                    ? new TaskFailedException(input.input(), input.getCause())
                    : new TaskFailedException(description(), thrown);
        }
        Throwable own = thrown instanceof InputFailure input ? input.getCause() : thrown;
        // a CompletableFuture failed with a CancellationException counts as cancelled; one failed
        // with a CompletionException reports its cause from get(), join() and exceptionNow()
        return own instanceof CancellationException ? new CompletionException(own) : own;
    }
}
