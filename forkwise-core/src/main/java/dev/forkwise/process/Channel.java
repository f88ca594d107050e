package dev.forkwise.process;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The private listening end of a pool: a Unix-domain socket that only the parent's own workers can
 * use.
 *
 * <h2>Why no other process can talk on it</h2>
 *
 * <ol>
 *   <li>The socket lives in a fresh directory with mode {@code 0700}, so processes of other users
 *       cannot even reach it; the socket file is removed as soon as the pool closes.
 *   <li>A connection counts only after its first frame presents a 256-bit random token that the
 *       parent generated for one worker and wrote to that worker's standard input, a pipe that
 *       only the parent and that child hold. Anything else (a wrong token, no token within 10 s, a
 *       token already used) is closed without a reply; a token works once.
 *   <li>No frame is deserialized before the token check, and after it only classes in {@link
 *       Codec}'s allowed set are.
 * </ol>
 */
final class Channel implements Closeable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long HANDSHAKE_SECONDS = 10;

    private final Path dir;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Map<String, BiConsumer<Long, Wire>> expected = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private Channel(Path dir, Path socket, ServerSocketChannel server) {
        this.dir = dir;
        this.socket = socket;
        this.server = server;
    }

    /** Opens a channel and starts accepting on a daemon thread named after {@code name}. */
    static Channel open(String name) {
        try {
            Path dir =
                    FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                            ? Files.createTempDirectory(
                                    "forkwise-",
                                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
                            : Files.createTempDirectory("forkwise-");
            Path socket = dir.resolve("s");
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            Channel c = new Channel(dir, socket, server);
            Thread t = new Thread(c::accept, "forkwise-" + name + "-accept");
            t.setDaemon(true);
            t.start();
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the private channel for worker processes", e);
        }
    }

    /** The socket's path, for the workers. */
    String path() {
        return socket.toString();
    }

    /**
     * Expects one worker: returns the token it must present; {@code onConnect} gets the pid it
     * claims and its end of the channel.
     */
    String expect(BiConsumer<Long, Wire> onConnect) {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String token = HexFormat.of().formatHex(b);
        expected.put(token, onConnect);
        return token;
    }

    /** Stops expecting the worker with {@code token}. */
    void forget(String token) {
        expected.remove(token);
    }

    private void accept() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            Thread.ofVirtual().name("forkwise-handshake").start(() -> handshake(ch));
        }
    }

    private void handshake(SocketChannel ch) {
        Wire wire = new Wire(ch, true);
        var guard = Timers.schedule(wire::close, HANDSHAKE_SECONDS, TimeUnit.SECONDS);
        try {
            Wire.Frame hello = wire.read();
            guard.cancel(false);
            BiConsumer<Long, Wire> onConnect =
                    hello.type() == Wire.HELLO
                            ? expected.remove(new String(hello.payload(), StandardCharsets.US_ASCII))
                            : null;
            if (onConnect == null) {
                wire.close();
                return;
            }
            onConnect.accept(hello.id(), wire);
        } catch (IOException e) {
            guard.cancel(false);
            wire.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        expected.clear();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a leftover empty directory in the temp folder is harmless
        }
    }
}
