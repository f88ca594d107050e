package dev.forkwise.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Only a process that presents the token the parent wrote to its stdin gets a channel. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChannelTest {

    @Test
    void theSocketIsInADirectoryOnlyTheUserCanEnter() throws IOException {
        try (Channel ch = Channel.open("test")) {
            Path dir = Path.of(ch.path()).getParent();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                    .isEqualTo("rwx------");
        }
    }

    @Test
    void aWrongTokenIsHungUpOnAndARightOneWorksOnce() throws Exception {
        try (Channel ch = Channel.open("test")) {
            AtomicInteger connects = new AtomicInteger();
            CompletableFuture<Wire> claimed = new CompletableFuture<>();
            String token =
                    ch.expect(
                            wire -> {
                                connects.incrementAndGet();
                                claimed.complete(wire);
                            });

            assertThat(hungUpAfterHello(ch, "not-the-token")).isTrue();
            assertThat(hungUpAfterGarbage(ch)).isTrue();
            assertThat(connects).hasValue(0);

            try (SocketChannel good = SocketChannel.open(UnixDomainSocketAddress.of(ch.path()))) {
                new Wire(good, false)
                        .send(Wire.HELLO, 4242, token.getBytes(StandardCharsets.US_ASCII));
                assertThat(claimed.get(10, TimeUnit.SECONDS)).isNotNull();
            }
            // the same token again: refused
            assertThat(hungUpAfterHello(ch, token)).isTrue();
            assertThat(connects).hasValue(1);
        }
    }

    @Test
    void theSocketFileIsGoneAfterClose() {
        Channel ch = Channel.open("test");
        Path socket = Path.of(ch.path());
        assertThat(socket).exists();
        ch.close();
        assertThat(socket).doesNotExist();
        assertThat(socket.getParent()).doesNotExist();
    }

    /**
     * A peer that has not presented the token announces a 2 GiB frame: the parent reads the header
     * alone and hangs up at once, rather than allocating 2 GiB and waiting for it (until the 10 s
     * handshake limit).
     */
    @Test
    void aHugeFrameBeforeTheTokenIsHungUpOnAtOnceWithoutReadingIt() throws Exception {
        try (Channel ch = Channel.open("test");
                SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(ch.path()))) {
            ByteBuffer header =
                    ByteBuffer.allocate(17)
                            .putInt(Integer.MAX_VALUE - 64)
                            .put(Wire.HELLO)
                            .putLong(1)
                            .putInt(0)
                            .flip();
            s.write(header);
            long t0 = System.nanoTime();
            assertThat(hungUp(s)).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0))
                    .as("hung up before the handshake limit")
                    .isLessThan(5);
        }
    }

    /**
     * A link request before the token is not acted on: no shared memory is offered, the peer is
     * hung up on.
     */
    @Test
    void aLinkRequestBeforeTheTokenIsNotActedOn() throws Exception {
        try (Channel ch = Channel.open("test")) {
            ch.expect(wire -> {});
            try (SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(ch.path()))) {
                new Wire(s, false).send(Wire.LINK_REQUEST, 0, new byte[0]);
                ByteBuffer reply = ByteBuffer.allocate(64);
                int n;
                try {
                    n = s.read(reply);
                } catch (SocketException reset) {
                    n = -1;
                }
                assertThat(n).as("no LINK_OFFER or any other byte comes back").isEqualTo(-1);
            }
        }
    }

    @Test
    void aSocketFolderLeftByADeadJvmIsSweptAndALiveOnesIsNot() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path dead = Files.createDirectories(tmp.resolve(Channel.PREFIX + gone.pid() + "-test"));
        Files.writeString(dead.resolve("s"), "");
        Path alive =
                Files.createDirectories(
                        tmp.resolve(Channel.PREFIX + ProcessHandle.current().pid() + "-test"));
        try {
            Channel.sweep();
            assertThat(dead).doesNotExist();
            assertThat(alive).exists();
        } finally {
            Files.deleteIfExists(dead.resolve("s"));
            Files.deleteIfExists(dead);
            Files.deleteIfExists(alive);
        }
    }

    private static boolean hungUpAfterHello(Channel ch, String token) throws IOException {
        try (SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(ch.path()))) {
            new Wire(s, false).send(Wire.HELLO, 1, token.getBytes(StandardCharsets.US_ASCII));
            return hungUp(s);
        }
    }

    private static boolean hungUpAfterGarbage(Channel ch) throws IOException {
        try (SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(ch.path()))) {
            s.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 3, 9, 9, 9}));
            return hungUp(s);
        }
    }

    /**
     * Whether the parent closed the connection: end of file, or a reset when it left our bytes
     * unread.
     */
    private static boolean hungUp(SocketChannel s) throws IOException {
        try {
            return s.read(ByteBuffer.allocate(1)) == -1;
        } catch (SocketException reset) {
            return reset.getMessage().contains("reset");
        }
    }
}
