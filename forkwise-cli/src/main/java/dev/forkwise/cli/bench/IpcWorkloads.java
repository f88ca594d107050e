package dev.forkwise.cli.bench;

import dev.forkwise.Call;
import dev.forkwise.Pool;
import dev.forkwise.cli.lab.QueuesAndPipes;
import dev.forkwise.ipc.Pipe;
import dev.forkwise.ipc.SharedArray;
import dev.forkwise.ipc.SharedCondition;
import dev.forkwise.ipc.SharedEvent;
import dev.forkwise.ipc.SharedInt;
import dev.forkwise.ipc.SharedLock;
import dev.forkwise.ipc.SharedLong;
import dev.forkwise.ipc.SharedMap;
import dev.forkwise.ipc.SharedQueue;
import dev.forkwise.ipc.SharedReentrantLock;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * forkwise's side of the IPC workloads of {@code forkwise bench} (issue 4's speed goals). Each
 * starts its worker JVMs and runs the exchange once untimed, at full size, so the JIT has compiled
 * both ends in every JVM, then times a second run; the Python side needs no warm-up.
 */
final class IpcWorkloads {

    private IpcWorkloads() {}

    /**
     * Messages per second, one worker putting {@code n} 64-byte messages and the parent taking
     * them.
     */
    static Sample queueOneToOne(int n) throws Exception {
        try (Pool pool = Pool.processes(1)) {
            pool.submit(() -> null).get();
            queue(pool, 1, n);
            return Sample.of("SharedQueue, worker → parent", queue(pool, 1, n));
        }
    }

    /**
     * Messages per second, 4 producer workers × 4 consumer workers, {@code n} messages per
     * producer.
     */
    static Sample queueFourByFour(int n) throws Exception {
        try (Pool pool = Pool.processes(8)) {
            pool.map(i -> i, List.of(1, 2, 3, 4, 5, 6, 7, 8), 1);
            queue(pool, 4, n);
            return Sample.of("SharedQueue, 4 workers × 4 workers", queue(pool, 4, n));
        }
    }

    /**
     * One run: {@code pairs} producer workers, and as many consumer workers for more than one pair
     * (else the parent consumes). The end marks go in after every producer has finished, so none
     * overtakes a message.
     */
    private static double queue(Pool pool, int pairs, int n) throws Exception {
        try (SharedQueue<byte[]> q = SharedQueue.create(4096);
                SharedEvent go = SharedEvent.create()) {
            List<CompletableFuture<Integer>> producers = new ArrayList<>();
            List<CompletableFuture<Integer>> consumers = new ArrayList<>();
            for (int p = 0; p < pairs; p++) {
                producers.add(
                        pool.submit(
                                () -> {
                                    byte[] m = new byte[64];
                                    go.await();
                                    for (int i = 0; i < n; i++) {
                                        q.put(m);
                                    }
                                    return 0;
                                }));
            }
            if (pairs > 1) {
                for (int c = 0; c < pairs; c++) {
                    consumers.add(
                            pool.submit(
                                    () -> {
                                        go.await();
                                        int got = 0;
                                        while (q.take() != null) {
                                            got++;
                                        }
                                        return got;
                                    }));
                }
            }
            Thread.sleep(200); // all at the start line
            long t = System.nanoTime();
            go.set();
            long got = 0;
            if (pairs == 1) {
                for (int i = 0; i < n; i++) {
                    got += q.take().length == 64 ? 1 : 0;
                }
            }
            for (CompletableFuture<Integer> f : producers) {
                f.get(5, TimeUnit.MINUTES);
            }
            for (int c = 0; c < consumers.size(); c++) {
                q.put(null);
            }
            for (CompletableFuture<Integer> f : consumers) {
                got += f.get(5, TimeUnit.MINUTES);
            }
            double seconds = (System.nanoTime() - t) / 1e9;
            check(got == (long) pairs * n, "every message arrived once");
            return pairs * (double) n / seconds;
        }
    }

    /** Median ns of an uncontended {@link SharedLock} lock + unlock, over batches of 1,000. */
    static Sample lockUncontended(int n) {
        try (SharedLock lock = SharedLock.create()) {
            double ns =
                    medianOfBatches(
                            n,
                            () -> {
                                lock.lock();
                                lock.unlock();
                            });
            return Sample.of("SharedLock", ns);
        }
    }

    /**
     * Median ns of an uncontended {@link SharedReentrantLock} nest (lock, lock, unlock, unlock),
     * over batches of 1,000.
     */
    static Sample reentrantLockUncontended(int n) {
        try (SharedReentrantLock lock = SharedReentrantLock.create()) {
            double ns =
                    medianOfBatches(
                            n,
                            () -> {
                                lock.lock();
                                lock.lock();
                                lock.unlock();
                                lock.unlock();
                            });
            check(!lock.isLocked(), "the lock is free after the nests");
            return Sample.of("SharedReentrantLock", ns);
        }
    }

    /**
     * Median ns of {@code once}, over {@code n / 1000} batches of 1,000 calls, after a warm pass.
     */
    private static double medianOfBatches(int n, Runnable once) {
        double[] batches = new double[Math.max(1, n / 1000)];
        for (int warm = 0; warm < 2; warm++) {
            for (int b = 0; b < batches.length; b++) {
                long t = System.nanoTime();
                for (int i = 0; i < 1000; i++) {
                    once.run();
                }
                batches[b] = (System.nanoTime() - t) / 1000.0;
            }
        }
        Arrays.sort(batches);
        return batches[batches.length / 2];
    }

    /**
     * Mean µs of a hand-off through a {@link SharedCondition} and back, parent ↔ worker: each side
     * waits for its turn under the lock, takes it, gives the turn back and signals.
     */
    static Sample conditionRoundTrip(int n) throws Exception {
        int warm = Math.max(200, n / 4);
        try (Pool pool = Pool.processes(1);
                SharedLock lock = SharedLock.create();
                SharedInt turn = SharedInt.create(0)) {
            SharedCondition changed = lock.newCondition();
            int rounds = warm + n;
            CompletableFuture<Object> pong =
                    pool.submit(
                            () -> {
                                lock.lock();
                                try {
                                    for (int i = 0; i < rounds; i++) {
                                        while (turn.get() != 1) {
                                            changed.await(60, TimeUnit.SECONDS);
                                        }
                                        turn.set(0);
                                        changed.signal();
                                    }
                                } finally {
                                    lock.unlock();
                                }
                                return null;
                            });
            long t = 0;
            lock.lock();
            try {
                for (int i = 0; i < rounds; i++) {
                    if (i == warm) {
                        t = System.nanoTime();
                    }
                    turn.set(1);
                    changed.signal();
                    while (turn.get() != 0) {
                        changed.await(60, TimeUnit.SECONDS);
                    }
                }
            } finally {
                lock.unlock();
            }
            double us = (System.nanoTime() - t) / 1e3 / n;
            pong.get(60, TimeUnit.SECONDS);
            return Sample.of("SharedCondition, parent ↔ worker", us);
        }
    }

    /** Operations per second of {@link SharedLong#addAndGet} from 2 workers, {@code n} each. */
    static Sample counterTwoProcesses(int n) throws Exception {
        try (Pool pool = Pool.processes(2)) {
            pool.map(i -> i, List.of(1, 2), 1);
            counter(pool, n);
            return Sample.of("SharedLong.addAndGet", counter(pool, n));
        }
    }

    private static double counter(Pool pool, int n) throws Exception {
        try (SharedLong c = SharedLong.create(0)) {
            double seconds =
                    race(
                            pool,
                            2,
                            () -> {
                                for (int i = 0; i < n; i++) {
                                    c.addAndGet(1);
                                }
                                return null;
                            });
            check(c.get() == 2L * n, "the count is exact");
            return 2.0 * n / seconds;
        }
    }

    /**
     * Submits {@code copies} of {@code body}, each waiting at a start line until all are in their
     * workers, then returns the seconds from the start to the last one's end.
     */
    private static double race(Pool pool, int copies, Call<Object> body) throws Exception {
        try (SharedEvent go = SharedEvent.create()) {
            List<CompletableFuture<Object>> fs = new ArrayList<>();
            for (int p = 0; p < copies; p++) {
                fs.add(
                        pool.submit(
                                () -> {
                                    go.await();
                                    return body.call();
                                }));
            }
            Thread.sleep(200); // all at the start line
            long t = System.nanoTime();
            go.set();
            for (CompletableFuture<Object> f : fs) {
                f.get(5, TimeUnit.MINUTES);
            }
            return (System.nanoTime() - t) / 1e9;
        }
    }

    /** Mean and p50 µs of a round trip of a small int through a {@link Pipe}, parent ↔ worker. */
    static Sample pipeRoundTrip(int n) throws Exception {
        try (Pool pool = Pool.processes(1);
                Pipe pipe = Pipe.open()) {
            Pipe.End child = pipe.b();
            CompletableFuture<Object> echo = pool.submit(QueuesAndPipes.echo(child));
            Pipe.End a = pipe.a();
            for (int i = 0; i < Math.max(20_000, n / 4); i++) {
                a.send(i);
                a.recv();
            }
            double[] us = new double[n];
            for (int i = 0; i < n; i++) {
                long t = System.nanoTime();
                a.send(i);
                a.recv();
                us[i] = (System.nanoTime() - t) / 1e3;
            }
            a.send(-1);
            a.recv();
            echo.get(60, TimeUnit.SECONDS);
            double mean = Arrays.stream(us).average().orElseThrow();
            Arrays.sort(us);
            return new Sample("Pipe, parent ↔ worker", Map.of("value", mean, "p50", us[n / 2]));
        }
    }

    /** Updates per second of {@link SharedMap#merge} from 4 workers, {@code n} each. */
    static Sample mapFourWorkers(int n) throws Exception {
        try (Pool pool = Pool.processes(4)) {
            pool.map(i -> i, List.of(1, 2, 3, 4), 1);
            map(pool, n);
            return Sample.of("SharedMap.merge", map(pool, n));
        }
    }

    private static double map(Pool pool, int n) throws Exception {
        try (SharedMap<Integer, Long> map = SharedMap.create()) {
            double seconds =
                    race(
                            pool,
                            4,
                            () -> {
                                for (int k = 0; k < n; k++) {
                                    map.merge(k % 100, 1L, Long::sum);
                                }
                                return null;
                            });
            check(
                    map.snapshot().values().stream().mapToLong(Long::longValue).sum() == 4L * n,
                    "every update counted");
            return 4.0 * n / seconds;
        }
    }

    /**
     * Milliseconds for a worker to attach a 64 MiB {@link SharedArray} whose handle it receives
     * (deserialize the handle, map the file, read the last element): the worker times it itself.
     * The worker has attached one small array before, so the JVM's one-time set-up of the FFM API
     * and of forkwise's shared-memory folder (tens of milliseconds, once per JVM) is not counted.
     */
    static Sample attach64MiB() throws Exception {
        int n = 64 << 20;
        try (Pool pool = Pool.processes(1);
                SharedArray.Bytes a = SharedArray.bytes(n);
                SharedArray.Bytes small = SharedArray.bytes(8)) {
            a.set(n - 1, (byte) 7);
            pool.submit(() -> small.get(0)).get();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(a);
            }
            byte[] handle = bytes.toByteArray();
            double ms =
                    pool.submit(
                                    () -> {
                                        long t = System.nanoTime();
                                        SharedArray.Bytes there;
                                        try (ObjectInputStream in =
                                                new ObjectInputStream(
                                                        new ByteArrayInputStream(handle))) {
                                            there = (SharedArray.Bytes) in.readObject();
                                        }
                                        byte last = there.get(there.length() - 1);
                                        double took = (System.nanoTime() - t) / 1e6;
                                        check(last == 7, "the worker sees the parent's data");
                                        return took;
                                    })
                            .get(60, TimeUnit.SECONDS);
            return Sample.of("SharedArray.bytes(64 MiB) handle, attached in a worker", ms);
        }
    }

    /** Milliseconds to copy 64 MiB in memory once, the cost attaching avoids. */
    static Sample copy64MiB() {
        byte[] src = new byte[64 << 20];
        byte[] dst = new byte[src.length];
        System.arraycopy(src, 0, dst, 0, src.length); // pages touched
        long t = System.nanoTime();
        System.arraycopy(src, 0, dst, 0, src.length);
        return Sample.of("System.arraycopy of 64 MiB", (System.nanoTime() - t) / 1e6);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark check failed: " + what);
        }
    }
}
