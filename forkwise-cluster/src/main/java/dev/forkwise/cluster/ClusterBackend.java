package dev.forkwise.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;

import dev.forkwise.WorkerCrashedException;
import dev.forkwise.codec.Codec;
import dev.forkwise.codec.Message;
import dev.forkwise.codec.Portable;
import dev.forkwise.codec.Transfer;
import dev.forkwise.engine.Backend;
import dev.forkwise.engine.Lifecycle;
import dev.forkwise.engine.TaskFuture;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool's backend on a Hazelcast cluster, through forkwise's backend door.
 *
 * <h2>Implementation overview</h2>
 *
 * <p>A task is encoded with the codec when it is submitted ({@link Transfer}: a value that cannot
 * travel fails there, named), and waits here until fewer than {@link #window} tasks are in flight
 * (the pool's bound when the user set one; otherwise {@link #WINDOW_PER_CORE} per member core,
 * while the members' executors, one thread per core, keep the bound): the members never queue
 * unboundedly, and {@code shutdownNow} can return what never left. Each task goes to the member
 * with the fewest tasks in flight per core, wrapped in a {@link RemoteTask}, with {@code
 * submitToMember}, so the backend always knows where a task is.
 *
 * <p>The answer is handled on this backend's own callback threads (never Hazelcast's, which start a
 * thread per callback on small machines): the task's value or what it threw, decoded through the
 * class filter. A member that leaves while it holds the task (killed, crashed, cut off) fails the
 * task with {@link WorkerCrashedException} naming the member, unless the pool's tasks are
 * idempotent: then the task goes again to a survivor, up to once per member. A task that was
 * answered is never sent again, so nothing returns twice.
 *
 * <p>Lifecycle: {@code NEW → RUNNING → SHUTDOWN → TERMINATED} ({@link Lifecycle}), under {@link
 * #lock}, which also guards the waiting tasks and the counts in flight. Memory consistency effects:
 * a task's completion happens-before whatever its future's dependents run, as for any {@code
 * CompletableFuture}.
 */
final class ClusterBackend implements Backend {

    private final HazelcastInstance hz;
    private final String cluster;
    private final ClusterPoolOptions options;
    private final Codec back;
    private final IExecutorService executor;
    private final int parallelism;

    /** The most tasks sent and not yet answered. */
    private final int window;

    /**
     * Tasks in flight per member core when the pool's bound is the members' cores. With 16, a
     * stream of tiny tasks on two 2-core members waited a round trip each for a place (about
     * 35,000 tasks/s against Hazelcast's own executor's 90,000 with every task in flight); with 128
     * it ran at 72,000-100,000.
     */
    static final int WINDOW_PER_CORE = 128;

    private final ReentrantLock lock = new ReentrantLock();
    private final Lifecycle life = new Lifecycle(lock, Lifecycle.State.NEW);
    private final Deque<Outgoing> waiting = new ArrayDeque<>();
    private final Map<TaskFuture<?>, Flight> flying = new IdentityHashMap<>();
    private final Map<UUID, Integer> perMember = new HashMap<>();

    /**
     * Members that lost a task: never chosen again (a member's UUID is new when it restarts), even
     * while this client still lists them, in the moment before it learns they left.
     */
    private final Set<UUID> lostMembers = ConcurrentHashMap.newKeySet();

    private int inFlight;
    private ExecutorService callbacks;

    /** A task encoded and waiting for its turn, with the members it already lost. */
    private record Outgoing(TaskFuture<?> task, byte[] bytes, int attempt) {}

    /**
     * A task on a member. It ends once ({@link #end}): when the member answers, when the task is
     * cancelled here (Hazelcast may never complete a cancelled future), or when {@code shutdownNow}
     * stops it; whichever comes first frees its place, the others do nothing.
     */
    private final class Flight {
        final Outgoing out;
        final Member member;
        final Future<byte[]> future;
        private final AtomicBoolean ended = new AtomicBoolean();

        Flight(Outgoing out, Member member, Future<byte[]> future) {
            this.out = out;
            this.member = member;
            this.future = future;
        }

        /** Frees the task's place; true only the first time. */
        boolean end() {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            lock.lock();
            try {
                flying.remove(out.task());
                perMember.computeIfPresent(member.getUuid(), (k, n) -> n <= 1 ? null : n - 1);
            } finally {
                lock.unlock();
            }
            return true;
        }
    }

    ClusterBackend(HazelcastInstance hz, String cluster, ClusterPoolOptions options, Codec back) {
        this.hz = hz;
        this.cluster = cluster;
        this.options = options;
        this.back = back;
        this.executor = hz.getExecutorService(Hz.EXECUTOR);
        this.parallelism =
                options.parallelism() > 0 ? options.parallelism() : Math.max(1, memberCores());
        // with the members' cores as the bound, their executors (one thread per core) keep it:
        // more may be in flight, queued there, so that tiny tasks do not wait a round trip each
        // for a place; a bound the user set is kept here, by what is in flight
        this.window = options.parallelism() > 0 ? parallelism : parallelism * WINDOW_PER_CORE;
    }

    private int memberCores() {
        int sum = 0;
        for (Member m : hz.getCluster().getMembers()) {
            sum += Hz.cores(m);
        }
        return sum;
    }

    @Override
    public String kind() {
        return "cluster(" + cluster + ", " + parallelism + ")";
    }

    @Override
    public int parallelism() {
        return parallelism;
    }

    @Override
    public void start(String poolName) {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        callbacks =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        30,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        Thread.ofPlatform()
                                .daemon()
                                .name("forkwise-" + poolName + "-answers-", 0)
                                .factory());
        ((ThreadPoolExecutor) callbacks).allowCoreThreadTimeOut(true);
        lock.lock();
        try {
            life.advance(Lifecycle.State.RUNNING);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void execute(TaskFuture<?> task) {
        // encoded here, at submit: a value that cannot travel fails now, with its path
        Message m = Transfer.encode(task::description, task.task());
        Outgoing out = new Outgoing(task, Wire.bytes(m), 0);
        lock.lock();
        try {
            if (!life.is(Lifecycle.State.RUNNING)) {
                throw new RejectedExecutionException(
                        "the cluster pool is shut down; it takes no new tasks");
            }
            if (inFlight >= window) {
                waiting.add(out);
                return;
            }
            inFlight++;
        } finally {
            lock.unlock();
        }
        send(out);
    }

    /** Sends a task to the member with the fewest tasks per core; {@link #inFlight} counts it. */
    private void send(Outgoing out) {
        TaskFuture<?> task = out.task();
        if (task.isDone()) {
            done(null, task); // cancelled while it waited
            return;
        }
        Member target;
        lock.lock();
        try {
            target = leastLoaded();
            if (target != null) {
                perMember.merge(target.getUuid(), 1, Integer::sum);
            }
        } finally {
            lock.unlock();
        }
        if (target == null) {
            task.failInstead(
                    new WorkerCrashedException(
                            task.description(),
                            -1,
                            -1,
                            null,
                            List.of(),
                            "no member of cluster '" + cluster + "' is left to run it"));
            done(null, task);
            return;
        }
        Future<byte[]> f;
        try {
            f = executor.submitToMember(new RemoteTask(cluster, out.bytes()), target);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        Flight flight = new Flight(out, target, f);
        lock.lock();
        try {
            flying.put(task, flight);
        } finally {
            lock.unlock();
        }
        task.started(() -> "member " + describe(target));
        task.onCancel(
                () -> {
                    flight.future.cancel(task.interruptRequested());
                    if (flight.end()) {
                        done(out, task);
                    }
                });
        if (f instanceof CompletionStage<?> stage) {
            @SuppressWarnings("unchecked")
            CompletionStage<byte[]> s = (CompletionStage<byte[]>) stage;
            s.whenCompleteAsync((r, e) -> answered(flight, r, e), callbacks);
        } else {
            Future<byte[]> blocking = f;
            callbacks.execute(
                    () -> {
                        try {
                            answered(flight, blocking.get(), null);
                        } catch (Exception e) {
                            answered(flight, null, e);
                        }
                    });
        }
    }

    private Member leastLoaded() {
        Member best = null;
        double load = Double.MAX_VALUE;
        for (Member m : hz.getCluster().getMembers()) {
            if (lostMembers.contains(m.getUuid())) {
                continue;
            }
            double l = perMember.getOrDefault(m.getUuid(), 0) / (double) Hz.cores(m);
            if (l < load) {
                load = l;
                best = m;
            }
        }
        return best;
    }

    /** A member's answer (or its loss), on a callback thread. */
    @SuppressWarnings("unchecked")
    private void answered(Flight flight, byte[] reply, Throwable error) {
        if (!flight.end()) {
            return; // cancelled here, or stopped by shutdownNow: already ended
        }
        Outgoing out = flight.out;
        Member member = flight.member;
        TaskFuture<Object> task = (TaskFuture<Object>) out.task();
        if (error == null) {
            complete(task, reply);
        } else if (!task.isDone()) {
            if (lost(error)) {
                lostMembers.add(member.getUuid());
                int members = hz.getCluster().getMembers().size();
                if (options.idempotent() && out.attempt() < members && members > 0) {
                    send(new Outgoing(task, out.bytes(), out.attempt() + 1)); // keeps its place
                    return;
                }
                task.failInstead(
                        new WorkerCrashedException(
                                task.description(),
                                Hz.pid(member),
                                -1,
                                null,
                                List.of(),
                                "member "
                                        + describe(member)
                                        + " left the cluster while it held the task"
                                        + " (running or queued there)"
                                        + (options.idempotent()
                                                ? " (and no survivor was left to run it again)"
                                                : "; declare the pool's tasks idempotent"
                                                        + " (ClusterPoolOptions.idempotent) to run"
                                                        + " them again on a survivor")));
            } else {
                task.failInstead(error);
            }
        }
        done(out, task);
    }

    private void complete(TaskFuture<Object> task, byte[] reply) {
        try {
            Message m = Wire.message(Arrays.copyOfRange(reply, 1, reply.length));
            if (reply[0] == RemoteTask.THROWN) {
                task.failRemotely(back.decodeThrowable(m));
            } else if (Portable.packsResults(task.task())) {
                task.completeRemotely(back.decodeResults(m));
            } else {
                task.completeRemotely(back.decode(m));
            }
        } catch (Exception e) {
            task.failRemotely(e);
        }
    }

    /** One task fewer in flight: the next waiting one goes, or the backend may terminate. */
    private void done(Outgoing finished, TaskFuture<?> task) {
        Outgoing next = null;
        lock.lock();
        try {
            next = waiting.poll();
            if (next == null) {
                inFlight--;
                if (life.is(Lifecycle.State.SHUTDOWN) && inFlight == 0) {
                    life.advance(Lifecycle.State.TERMINATED);
                    callbacks.shutdown();
                }
            }
        } finally {
            lock.unlock();
        }
        if (next != null) {
            send(next);
        }
    }

    /** Whether {@code e} says the member (or the connection to it) is gone, not the task. */
    static boolean lost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MemberLeftException
                    || t instanceof TargetDisconnectedException
                    || t instanceof TargetNotMemberException
                    || t instanceof HazelcastInstanceNotActiveException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    static String describe(Member m) {
        long pid = Hz.pid(m);
        return Hz.address(m) + (pid < 0 ? "" : " (pid " + pid + ")");
    }

    @Override
    public void shutdown() {
        lock.lock();
        try {
            life.advance(Lifecycle.State.SHUTDOWN);
            if (inFlight == 0 && waiting.isEmpty()) {
                life.advance(Lifecycle.State.TERMINATED);
                if (callbacks != null) {
                    callbacks.shutdown();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<TaskFuture<?>> shutdownNow() {
        List<TaskFuture<?>> never = new ArrayList<>();
        List<Flight> running;
        lock.lock();
        try {
            life.advance(Lifecycle.State.SHUTDOWN);
            for (Outgoing o : waiting) {
                never.add(o.task());
            }
            waiting.clear(); // never counted in flight
            running = new ArrayList<>(flying.values());
            if (inFlight == 0) {
                life.advance(Lifecycle.State.TERMINATED);
                if (callbacks != null) {
                    callbacks.shutdown();
                }
            }
        } finally {
            lock.unlock();
        }
        for (Flight f : running) {
            // claimed first, then cancelled: Hazelcast completes a cancelled future at once, and
            // its answer must not end the task as "cancelled". The member interrupts the task and
            // its answer never comes back, so the task ends here as the interrupt ends it there.
            boolean mine = f.end();
            f.future.cancel(true);
            if (mine) {
                f.out.task()
                        .failRemotely(
                                new InterruptedException(
                                        "interrupted on member "
                                                + describe(f.member)
                                                + " by shutdownNow"));
                done(f.out, f.out.task());
            }
        }
        return never;
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
