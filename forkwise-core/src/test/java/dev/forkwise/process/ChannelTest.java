package dev.forkwise.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Only a process that presents the token the parent wrote to its stdin gets a channel. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChannelTest {

    @Test
    void theSocketIsInADirectoryOnlyTheUserCanEnter() throws IOException {
        try (Channel ch = Channel.open("test")) {
            Path dir = Path.of(ch.path()).getParent();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        }
    }

    @Test
    void aWrongTokenIsHungUpOnAndARightOneWorksOnce() throws Exception {
        try (Channel ch = Channel.open("test")) {
            AtomicInteger connects = new AtomicInteger();
            CompletableFuture<Long> claimed = new CompletableFuture<>();
            String token = ch.expect((pid, wire) -> {
                connects.incrementAndGet();
                claimed.complete(pid);
            });

            assertThat(hungUpAfterHello(ch, "not-the-token")).isTrue();
            assertThat(hungUpAfterGarbage(ch)).isTrue();
            assertThat(connects).hasValue(0);

            try (SocketChannel good = SocketChannel.open(UnixDomainSocketAddress.of(ch.path()))) {
                new Wire(good, false).send(Wire.HELLO, 4242, token.getBytes(StandardCharsets.US_ASCII));
                assertThat(claimed.get(10, TimeUnit.SECONDS)).isEqualTo(4242);
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

    private static boolean hungUpAfterHello(Channel ch, String token) throws IOException {
        try (SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(ch.path()))) {
            new Wire(s, false).send(Wire.HELLO, 1, token.getBytes(StandardCharsets.US_ASCII));
            return s.read(ByteBuffer.allocate(1)) == -1;
        }
    }

    private static boolean hungUpAfterGarbage(Channel ch) throws IOException {
        try (SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(ch.path()))) {
            s.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 3, 9, 9, 9}));
            return s.read(ByteBuffer.allocate(1)) == -1;
        }
    }
}
