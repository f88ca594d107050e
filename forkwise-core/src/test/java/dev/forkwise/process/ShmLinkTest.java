package dev.forkwise.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forkwise.ipc.SharedMemory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The shared-memory link under its streams and under {@link Wire}: bytes arrive whole and in order
 * whatever their size against the ring, a sleeping reader is woken, end of file is told only after
 * the ring is drained, and the switch of a live channel loses and reorders nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmLinkTest {

    @TempDir Path tmp;

    private SocketChannel a;
    private SocketChannel b;

    @BeforeEach
    void socketPair() throws IOException {
        Path s = tmp.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(s));
            a = SocketChannel.open(UnixDomainSocketAddress.of(s));
            b = server.accept();
        }
    }

    /** One thread per concurrent side: the common pool has a single thread on a 2-core machine. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void close() throws IOException {
        threads.shutdownNow();
        a.close();
        b.close();
    }

    private static ShmLink.Bell bellOn(SocketChannel ch) {
        return () -> ch.write(ByteBuffer.wrap(new byte[1]));
    }

    private static final ShmLink.Liveness OPEN = () -> false;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void messagesOfEverySizeArriveWholeAndInOrderBothWaysWithPausesThatPutReadersToSleep(long seed)
            throws Exception {
        int ring = 4096;
        ShmLink parent = ShmLink.create(tmp, ring);
        ShmLink worker = ShmLink.attach(parent.path);
        parent.unlink();
        assertThat(parent.path).doesNotExist();

        // the parent sends on a, the worker reads and echoes on b
        DataOutputStream toWorker =
                new DataOutputStream(parent.out(ShmLink.Direction.TO_WORKER, bellOn(a), OPEN));
        DataInputStream fromWorker =
                new DataInputStream(
                        parent.in(ShmLink.Direction.TO_PARENT, Channels.newInputStream(a)));
        DataInputStream atWorker =
                new DataInputStream(
                        worker.in(ShmLink.Direction.TO_WORKER, Channels.newInputStream(b)));
        DataOutputStream backToParent =
                new DataOutputStream(worker.out(ShmLink.Direction.TO_PARENT, bellOn(b), OPEN));

        Random random = new Random(seed);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int n =
                    switch (random.nextInt(4)) {
                        case 0 -> random.nextInt(16);
                        case 1 -> random.nextInt(ring);
                        case 2 ->
                                ring
                                        - 4
                                        + random.nextInt(
                                                8); // around a whole ring, with the length prefix
                        default ->
                                ring + random.nextInt(4 * ring); // larger than the ring: it streams
                    };
            byte[] m = new byte[n];
            random.nextBytes(m);
            sent.add(m);
        }
        long pauseSeed = random.nextLong();

        CompletableFuture<Void> echo =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                for (int i = 0; i < sent.size(); i++) {
                                    byte[] m = new byte[atWorker.readInt()];
                                    atWorker.readFully(m);
                                    backToParent.writeInt(m.length);
                                    backToParent.write(m);
                                }
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        threads);
        CompletableFuture<List<byte[]>> received =
                CompletableFuture.supplyAsync(
                        () -> {
                            List<byte[]> got = new ArrayList<>();
                            try {
                                for (int i = 0; i < sent.size(); i++) {
                                    byte[] m = new byte[fromWorker.readInt()];
                                    fromWorker.readFully(m);
                                    got.add(m);
                                }
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                            return got;
                        },
                        threads);
        Random pauses = new Random(pauseSeed);
        for (byte[] m : sent) {
            toWorker.writeInt(m.length);
            toWorker.write(m);
            if (pauses.nextInt(8) == 0) {
                // longer than a reader keeps looking: both readers go to sleep on their sockets
                LockSupport.parkNanos(300_000); // the channel's IdleStrategy looks for 100 µs
            }
        }
        echo.get(30, TimeUnit.SECONDS);
        List<byte[]> got = received.get(30, TimeUnit.SECONDS);
        assertThat(got).hasSameSizeAs(sent);
        for (int i = 0; i < sent.size(); i++) {
            assertThat(Arrays.equals(got.get(i), sent.get(i)))
                    .as("message %d of %d bytes", i, sent.get(i).length)
                    .isTrue();
        }
    }

    @Test
    void aReaderAsleepOnTheSocketIsWokenByTheBell() throws Exception {
        ShmLink link = ShmLink.create(tmp, 4096);
        InputStream in = link.in(ShmLink.Direction.TO_WORKER, Channels.newInputStream(b));
        OutputStream out = link.out(ShmLink.Direction.TO_WORKER, bellOn(a), OPEN);
        CompletableFuture<Integer> read =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return in.read();
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        threads);
        Thread.sleep(
                50); // far past the time a reader keeps looking: it sleeps in the socket's read
        assertThat(read).isNotDone();
        out.write(42);
        assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void endOfFileComesOnlyAfterWhatIsInTheRing() throws Exception {
        ShmLink link = ShmLink.create(tmp, 4096);
        InputStream in = link.in(ShmLink.Direction.TO_PARENT, Channels.newInputStream(a));
        OutputStream out = link.out(ShmLink.Direction.TO_PARENT, bellOn(b), OPEN);
        out.write(new byte[] {1, 2, 3});
        b.close(); // the writer's process is gone: its socket end closes
        byte[] got = new byte[8];
        int n = 0;
        int r;
        while ((r = in.read(got, n, got.length - n)) > 0) {
            n += r;
        }
        assertThat(r).isEqualTo(-1);
        assertThat(Arrays.copyOf(got, n)).containsExactly(1, 2, 3);
    }

    @Test
    void aWriterWaitingForRoomStopsWhenTheLinkCloses() throws Exception {
        ShmLink link = ShmLink.create(tmp, 4096);
        AtomicBoolean closed = new AtomicBoolean();
        OutputStream out = link.out(ShmLink.Direction.TO_WORKER, bellOn(a), closed::get);
        CompletableFuture<Void> write =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                out.write(
                                        new byte
                                                [3
                                                        * 4096]); // nobody reads: it waits for room
                                                                  // after the first ring
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        threads);
        Thread.sleep(50);
        assertThat(write).isNotDone();
        closed.set(true);
        assertThatThrownBy(() -> write.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .hasCauseInstanceOf(IOException.class);
    }

    @Test
    void attachRefusesAFileThatIsNotALink() throws IOException {
        Path other = tmp.resolve("other.link");
        Files.write(other, new byte[8192]);
        assertThatThrownBy(() -> ShmLink.attach(other))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a forkwise link");
        assertThatThrownBy(() -> ShmLink.create(tmp, 5000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
    }

    @Test
    void theLinkFileIsPrivateToTheUser() throws IOException {
        ShmLink link = ShmLink.create(tmp, 4096);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(link.path)))
                .isEqualTo("rw-------");
    }

    // ------------------------------------------------------------------ the switch of a live
    // channel

    @ParameterizedTest(name = "switch after {0} frames")
    @ValueSource(ints = {1, 17, 150})
    void aLiveChannelSwitchesWithoutLosingOrReorderingAFrame(int before) throws Exception {
        Wire parent = new Wire(a, true);
        Wire worker = new Wire(b, false);
        int frames = 400;
        Random random = new Random(before);
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            byte[] body =
                    new byte
                            [random.nextInt(4) == 0
                                    ? ShmLink.RING + random.nextInt(1 << 16)
                                    : random.nextInt(256)];
            random.nextBytes(body);
            bodies.add(body);
        }
        // the worker echoes every task as its reply, and asks for the link after `before` replies;
        // as in a real worker, one thread reads while another replies
        BlockingQueue<Wire.Frame> tasks = new LinkedBlockingQueue<>();
        CompletableFuture<Void> read =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                for (int i = 0; i < frames; i++) {
                                    tasks.add(worker.read());
                                }
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        threads);
        CompletableFuture<Void> echo =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                for (int i = 0; i < frames; i++) {
                                    Wire.Frame f = tasks.take();
                                    assertThat(f.type()).isEqualTo(Wire.TASK);
                                    worker.send(Wire.OK, f.id(), f.message());
                                    if (i + 1 == before) {
                                        worker.requestLink();
                                    }
                                }
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        threads);
        // at most 4 tasks out at a time, as a pool sends them, so the switch happens mid-stream
        Semaphore window = new Semaphore(4);
        CompletableFuture<Void> send =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                for (int i = 0; i < frames; i++) {
                                    window.acquire();
                                    parent.send(Wire.TASK, i + 1, bodies.get(i));
                                }
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        threads);
        for (int i = 0; i < frames; i++) {
            Wire.Frame f = parent.read();
            window.release();
            assertThat(f.type()).isEqualTo(Wire.OK);
            assertThat(f.id()).isEqualTo(i + 1);
            assertThat(Arrays.equals(f.message().bytes(), bodies.get(i)))
                    .as("frame %d", i + 1)
                    .isTrue();
        }
        send.get(30, TimeUnit.SECONDS);
        read.get(30, TimeUnit.SECONDS);
        echo.get(30, TimeUnit.SECONDS);
        parent.close();
        worker.close();
        assertThat(parent.linked()).isTrue();
        assertThat(worker.linked()).isTrue();
        try (var files = Files.list(SharedMemory.folder())) {
            assertThat(files.filter(p -> p.toString().endsWith(".link")))
                    .as("the link file is deleted once both ends have it")
                    .isEmpty();
        }
    }

    @Test
    void aWorkerThatCannotMapTheLinkStaysOnTheSocket() throws Exception {
        Wire parent = new Wire(a, true);
        Wire worker = new Wire(b, false);
        // an offer the worker cannot map, as from a parent whose link file is gone
        new Wire(a, true)
                .send(
                        Wire.LINK_OFFER,
                        0,
                        tmp.resolve("missing.link").toString().getBytes(StandardCharsets.UTF_8));
        parent.send(Wire.TASK, 7, new byte[] {7});
        Wire.Frame f = worker.read();
        assertThat(f.id()).isEqualTo(7);
        worker.send(Wire.OK, 7, new byte[] {8});
        Wire.Frame reply = parent.read();
        assertThat(reply.id()).isEqualTo(7);
        assertThat(reply.message().bytes()).containsExactly(8);
        assertThat(worker.linked()).isFalse();
        assertThat(parent.linked()).isFalse();
    }
}
