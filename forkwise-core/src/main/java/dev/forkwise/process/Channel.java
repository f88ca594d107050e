package dev.forkwise.process;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

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
 *       parent generated for one worker and wrote to that worker's standard input, a pipe that only
 *       the parent and that child hold. Anything else (a wrong token, no token within 10 s, a token
 *       already used) is closed without a reply; a token works once.
 *   <li>No frame is deserialized before the token check, and after it only classes in {@link
 *       Codec}'s allowed set are.
 * </ol>
 */
final class Channel implements Closeable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long HANDSHAKE_SECONDS = 10;

    /** A socket folder is {@code <tmp>/forkwise-sock-<pid of its JVM>-<random>}. */
    static final String PREFIX = "forkwise-sock-";

    private static final Pattern FOLDER = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.*");

    private final Path dir;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Map<String, Consumer<Wire>> expected = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private Channel(Path dir, Path socket, ServerSocketChannel server) {
        this.dir = dir;
        this.socket = socket;
        this.server = server;
    }

    /**
     * Opens a channel and starts accepting on a daemon thread named after {@code name}. First
     * sweeps the socket folders that JVMs which died without closing their pools left behind.
     */
    static Channel open(String name) {
        sweep();
        try {
            String prefix = PREFIX + ProcessHandle.current().pid() + "-";
            Path dir =
                    FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                            ? Files.createTempDirectory(
                                    prefix,
                                    PosixFilePermissions.asFileAttribute(
                                            PosixFilePermissions.fromString("rwx------")))
                            : Files.createTempDirectory(prefix);
            Path socket = dir.resolve("s");
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            Channel c = new Channel(dir, socket, server);
            Daemons.start("forkwise-" + name + "-accept", c::accept);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot open the private channel for worker processes", e);
        }
    }

    /** The socket's path, for the workers. */
    String path() {
        return socket.toString();
    }

    /**
     * Expects one worker: returns the token it must present; {@code onConnect} gets its end of the
     * channel (the parent knows the worker's pid from the spawn, not from anything it says).
     */
    String expect(Consumer<Wire> onConnect) {
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
            Daemons.start("forkwise-handshake", () -> handshake(ch));
        }
    }

    /**
     * Reads the hello and nothing else ({@link Wire#readHello}) before the connection is trusted;
     * only a connection with an expected token gets a {@link Wire}.
     */
    private void handshake(SocketChannel ch) {
        var guard = Timers.schedule(() -> closeQuietly(ch), HANDSHAKE_SECONDS, TimeUnit.SECONDS);
        try {
            String token = Wire.readHello(ch);
            guard.cancel(false);
            Consumer<Wire> onConnect = token == null ? null : expected.remove(token);
            if (onConnect == null) {
                closeQuietly(ch);
                return;
            }
            onConnect.accept(new Wire(ch, true));
        } catch (IOException e) {
            guard.cancel(false);
            closeQuietly(ch);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /**
     * Deletes the socket folders in the temp folder whose JVM is no longer alive (killed before its
     * pools closed). A folder whose pid is alive is left alone, even if that pid now belongs to
     * another process.
     */
    static void sweep() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (var dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path d : dirs) {
                var m = FOLDER.matcher(d.getFileName().toString());
                if (m.matches()
                        && ProcessHandle.of(Long.parseLong(m.group(1)))
                                .map(h -> !h.isAlive())
                                .orElse(true)
                        && Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        Files.deleteIfExists(d.resolve("s"));
                        Files.deleteIfExists(d);
                    } catch (IOException e) {
                        // another user's, or not ours to delete: left alone
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // nothing to sweep
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
