package dev.forkwise.process;

import dev.forkwise.Call;
import dev.forkwise.codec.Codec;
import dev.forkwise.codec.Message;
import dev.forkwise.codec.Transfer;
import dev.forkwise.engine.Tasks;
import dev.forkwise.shm.IdleStrategy;

import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The main class of a worker JVM.
 *
 * <h2>Implementation overview</h2>
 *
 * <p><b>Start.</b> The parent writes four lines to the worker's standard input: the path of its
 * private socket, this worker's secret token, the number of task threads and the parent's pid. The
 * worker connects, sends the token ({@code HELLO}) and, if the pool has an initializer, runs the
 * one it is sent ({@code INIT}) and says {@code READY}; without one the parent sends tasks at once.
 * The token travels only through the pipe the parent holds, so no other process can pose as this
 * worker; see {@link Channel} for the rest of the channel's privacy.
 *
 * <p><b>Shared memory.</b> After {@link #LINK_AFTER} replies the worker asks for a shared-memory
 * link, and from then on frames go through memory ({@link Wire}, {@link ShmLink}): a task that
 * comes while the reading thread is still looking is taken with no wake-up through the kernel.
 *
 * <p><b>Dying with the parent.</b> Three independent watches, each ending the JVM with {@link
 * Runtime#halt} (no shutdown hooks, nothing that could hang) after killing the processes its tasks
 * started ({@link #parentGone}): end of file on standard input (the kernel closes the parent's end
 * of the pipe when the parent dies, however it dies), end of file on the socket, and a poll of the
 * parent's process handle every 200 ms.
 *
 * <p><b>Tasks: leader and followers.</b> {@code threads + 1} threads take turns reading the
 * channel: the one holding the read turn reads a frame; if it is a {@code TASK} and fewer than
 * {@code threads} tasks run, it passes the turn on and runs the task itself, then sends {@code OK},
 * {@code FAILED} or {@code UNSENDABLE} with the request id of the frame and looks for its next
 * task. So a task starts on the thread that read it, with no hand-off to another thread on the way
 * in, and while tasks run one thread still reads, so {@code CANCEL} (which interrupts the thread
 * running that id, and only while it still runs that id) is seen at once.
 *
 * <p><b>Tasks sent ahead.</b> For short tasks the parent sends more than {@code threads} at a time
 * (so a worker never waits a round trip for its next one). A task read while {@code threads} run
 * waits in a queue; a thread that finishes takes the queue's first. Tasks start in the order they
 * came, which is what lets the parent tell, when a worker dies, which tasks cannot have started.
 * One that is cancelled while it waits never runs: the worker says {@code SKIPPED}. On {@code
 * RECALL} (its running tasks have held the queue too long) it hands back every task still waiting,
 * not started ({@code RETURNED}), for the parent to send elsewhere. In single-task mode ({@code
 * threads == 0}, {@link dev.forkwise.ChildProcess}), the worker exits after the first task: 0 if it
 * returned, 1 if it threw.
 */
public final class WorkerMain {

    /** Exit code when the parent is gone. */
    static final int PARENT_GONE = 0;

    /**
     * Replies after which a worker asks for a shared-memory link: a stream of tasks is where the
     * socket's per-frame cost shows, and the switch itself costs a worker 30–70 ms of CPU and about
     * 5 MiB on first use ({@link java.nio.channels.FileChannel#map} initializes the JDK's
     * memory-segment support), which a worker that runs a few long tasks should not pay.
     */
    static final int LINK_AFTER = 32;

    private final Wire wire;
    private final Codec codec = new Codec(null, ClassLoader.getSystemClassLoader(), Tasks.FACTORY);
    private final int threads;
    private final boolean single;
    private final ReentrantLock readTurn = new ReentrantLock();

    /** In an AOT training run the channel's end is the run's end, not the parent's death. */
    private final boolean training;

    private final Map<Long, Running> running = new ConcurrentHashMap<>();

    /** Tasks read while {@code threads} ran, in the order they came; guarded by itself. */
    private final ArrayDeque<Wire.Frame> waiting = new ArrayDeque<>();

    /** Tasks running now; guarded by {@link #waiting}. */
    private int busy;

    private final AtomicInteger replies = new AtomicInteger();

    private WorkerMain(Wire wire, int threads, boolean training) {
        this.wire = wire;
        this.training = training;
        this.single = threads == 0;
        this.threads = Math.max(1, threads);
    }

    /**
     * Starts a worker; only forkwise calls this.
     *
     * @param args none
     * @throws Exception if the worker cannot connect
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals(Aot.TRAIN)) {
            Aot.train(Long.parseLong(args[1]));
            return;
        }
        InputStream stdin = new FileInputStream(FileDescriptor.in);
        String socket = readLine(stdin);
        String token = readLine(stdin);
        int threads = Integer.parseInt(readLine(stdin));
        long parent = Long.parseLong(readLine(stdin));
        System.setIn(InputStream.nullInputStream());
        sayOrderlyExit();
        Daemons.start("forkwise-stdin-watch", () -> haltAtEof(stdin));
        Daemons.start("forkwise-parent-watch", () -> watchParent(parent));

        connect(socket, token, threads, false).serve();
    }

    /**
     * Connects to the parent's socket, says hello with the token and starts the reading threads but
     * one, which the caller becomes by calling {@link #serve()}.
     */
    static WorkerMain connect(String socket, String token, int threads, boolean training)
            throws IOException {
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        Wire wire = new Wire(ch, false);
        wire.send(
                Wire.HELLO,
                0,
                token.getBytes(
                        StandardCharsets.US_ASCII)); // the parent knows our pid from the spawn
        WorkerMain worker = new WorkerMain(wire, threads, training);
        for (int i = 1; i <= worker.threads; i++) {
            Daemons.start("forkwise-task-" + i, worker::serve);
        }
        return worker;
    }

    /**
     * One of the {@code threads + 1} threads that take turns reading and run what they read, or
     * what waits in the queue.
     */
    void serve() {
        Wire.Frame f = null;
        while (true) {
            if (f == null) {
                f = readTask();
                if (f == null) {
                    return;
                }
            }
            run(f.id(), f.message(), running.get(f.id()), f.type() == Wire.TASK_SAY_START);
            synchronized (waiting) {
                busy--;
                f = waiting.pollFirst();
                if (f != null) {
                    busy++;
                }
            }
        }
    }

    /**
     * Takes the read turn and reads until a task this thread may run comes: returns it (counted in
     * {@link #busy}), or null when the worker is ending.
     */
    private Wire.Frame readTask() {
        takeTurn();
        try {
            while (true) {
                Wire.Frame f = wire.read();
                if (f.type() != Wire.TASK && f.type() != Wire.TASK_SAY_START) {
                    control(f);
                    continue;
                }
                running.put(f.id(), new Running());
                synchronized (waiting) {
                    if (waiting.isEmpty() && busy < threads) {
                        busy++;
                        return f;
                    }
                    waiting.addLast(f); // a finishing thread takes it, in order
                }
            }
        } catch (EOFException e) {
            if (!training) {
                parentGone();
            }
            return null;
        } catch (IOException | RuntimeException e) {
            if (training) {
                return null; // the training run is ending: it writes the cache as it exits
            }
            System.err.println("forkwise worker: channel failed: " + e);
            Runtime.getRuntime().halt(2);
            return null;
        } finally {
            readTurn.unlock();
        }
    }

    /**
     * Waits for the read turn. On a linked channel the thread first keeps trying for as long as a
     * reader keeps looking at the ring (the channel's {@link IdleStrategy}, until it would park): a
     * thread that is not queued on the lock needs no wake-up when the turn comes free, so a stream
     * of short tasks changes readers without a system call.
     */
    private void takeTurn() {
        if (wire.linked()) {
            IdleStrategy idle = IdleStrategy.forChannel();
            do {
                if (readTurn.tryLock()) {
                    return;
                }
                idle.idle();
            } while (!idle.parking());
        }
        readTurn.lock();
    }

    private void control(Wire.Frame f) throws IOException {
        switch (f.type()) {
            case Wire.INIT -> initialize(f.message());
            case Wire.CANCEL -> {
                Running r = running.get(f.id());
                if (r != null) {
                    r.interrupt();
                }
            }
            case Wire.ECHO -> {
                // answered here when the write lock is free (the raw round trip stays raw); else on
                // another thread: the reading thread must never wait for the write lock, whose
                // holder may be waiting for the parent to read, which may be waiting for us to read
                if (!wire.trySend(Wire.ECHO, f.id(), f.message())) {
                    Daemons.start(
                            "forkwise-echo",
                            () -> {
                                try {
                                    wire.send(Wire.ECHO, f.id(), f.message());
                                } catch (IOException e) {
                                    parentGone();
                                }
                            });
                }
            }
            case Wire.RECALL -> handBack();
            case Wire.STOP -> System.exit(0);
            default -> throw new IOException("unknown frame type " + f.type());
        }
    }

    /**
     * Hands back every task that waits in the queue ({@link Wire#RECALL}): none of them has
     * started, and none will here. Last first, so the parent, putting each back at the head of its
     * queue, keeps their order. The frames go out on a thread of their own: the reading thread must
     * never wait for the write lock (see {@code ECHO}).
     */
    private void handBack() {
        List<Wire.Frame> back;
        synchronized (waiting) {
            back = new ArrayList<>(waiting);
            waiting.clear();
        }
        if (back.isEmpty()) {
            return;
        }
        long[] ids = new long[back.size()];
        Message[] none = new Message[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = back.get(ids.length - 1 - i).id();
            none[i] = Message.EMPTY;
            running.remove(ids[i]);
        }
        Daemons.start(
                "forkwise-hand-back",
                () -> {
                    try {
                        wire.sendAll(Wire.RETURNED, ids, none);
                    } catch (IOException e) {
                        parentGone();
                    }
                });
    }

    private void initialize(Message payload) throws IOException {
        if (payload.length() > 0) {
            try {
                Call<?> init = (Call<?>) codec.decode(payload);
                init.call();
            } catch (Throwable t) {
                wire.send(Wire.INIT_FAILED, 0, Codec.encodeThrowable(t));
                return;
            }
        }
        wire.send(Wire.READY, 0, Message.EMPTY);
    }

    private void run(long id, Message payload, Running r, boolean sayStart) {
        long t0 = System.nanoTime();
        boolean ok = false;
        try {
            if (!r.start() && !single) {
                r.finish(); // clears the interrupt meant for it
                running.remove(id);
                wire.send(Wire.SKIPPED, id, Message.EMPTY); // cancelled while it waited
                return;
            }
            Object result;
            try {
                Callable<?> call = (Callable<?>) codec.decode(payload, wire.forms());
                if (sayStart) {
                    wire.send(Wire.STARTED, id, Message.EMPTY); // the time limit counts from here
                }
                result = call.call();
            } catch (Throwable t) {
                r.finish();
                running.remove(id);
                if (single) {
                    // a child process's failure is also shown where it happened, as Python's
                    // Process prints its traceback: the parent may never ask for the result
                    System.err.println("Exception in the child process's call:");
                    t.printStackTrace();
                }
                wire.send(Wire.FAILED, id, Codec.encodeThrowable(t), micros(t0));
                return;
            }
            r.finish();
            running.remove(id);
            Message bytes;
            try {
                bytes = Codec.encode(result, false);
            } catch (IOException | RuntimeException e) {
                Exception why =
                        Transfer.notTransferable(
                                "the result of request " + id, "result", result, e);
                wire.send(Wire.UNSENDABLE, id, Codec.encodeThrowable(why), micros(t0));
                return;
            }
            wire.send(Wire.OK, id, bytes, micros(t0));
            ok = true;
            if (!single && replies.incrementAndGet() == LINK_AFTER) {
                wire.requestLink();
            }
        } catch (IOException e) {
            parentGone();
        } finally {
            if (single) {
                System.exit(ok ? 0 : 1);
            }
        }
    }

    /** Microseconds since {@code t0}, at least 1, at most {@link Integer#MAX_VALUE}. */
    private static int micros(long t0) {
        return (int) Math.clamp((System.nanoTime() - t0) / 1_000, 1, Integer.MAX_VALUE);
    }

    /** The thread running one request, so a CANCEL interrupts that request and nothing else. */
    private static final class Running {
        private Thread thread;
        private boolean cancelled;
        private boolean done;

        /**
         * The current thread runs the request from now; returns false if it was cancelled before
         * (then the thread is interrupted too, for a single-task child, which runs it anyway).
         */
        synchronized boolean start() {
            thread = Thread.currentThread();
            if (cancelled) {
                thread.interrupt();
            }
            return !cancelled;
        }

        synchronized void interrupt() {
            cancelled = true;
            if (thread != null && !done) {
                thread.interrupt();
            }
        }

        synchronized void finish() {
            done = true;
            thread = null;
            Thread.interrupted(); // an interrupt meant for this request must not reach the next one
        }
    }

    /**
     * Registers the hook that tells the parent this JVM exits through {@code System.exit} (or a
     * SIGTERM, which the JVM turns into one): its exit code is then a code, even one above 128,
     * which Java would otherwise report as a signal. Written to the real stderr, whatever the tasks
     * did to {@code System.err}.
     */
    private static void sayOrderlyExit() {
        PrintStream err =
                new PrintStream(
                        new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(() -> err.println(OutputPump.EXIT_MARK), "forkwise-exit-mark"));
    }

    /**
     * The parent is gone (or its channel is): ends this JVM at once, and first every process it
     * started, and theirs ({@link ProcessHandle#descendants()}, from {@code /proc} on Linux), so a
     * task's {@code sleep 1000} does not outlive a killed parent. What a task detached from this
     * JVM's tree (a daemon that double-forked, re-parented to init) is no longer a descendant and
     * is left alone.
     */
    static void parentGone() {
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
        Runtime.getRuntime().halt(PARENT_GONE);
    }

    static void haltAtEof(InputStream stdin) {
        try {
            while (stdin.read() >= 0) {
                // nothing else is ever written after the start lines
            }
        } catch (IOException ignored) {
            // same as end of file
        }
        parentGone();
    }

    static void watchParent(long parent) {
        while (true) {
            try {
                Thread.sleep(200); // first: the start of a worker is no time for /proc lookups
            } catch (InterruptedException e) {
                return;
            }
            long now = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
            if (now != parent || parent < 0) {
                parentGone();
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                parentGone();
            }
            b.append((char) c);
        }
        return b.toString();
    }
}
