package dev.forkwise.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/** Where segments live, who deletes them and when. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleTest {

    @Test
    void aSegmentIsAPrivateFileThatItsOwnersCloseDeletes() throws Exception {
        Path folder = SharedMemory.folder();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)))
                .isEqualTo("rwx------");
        SharedLong l = SharedLong.create(1);
        Path file = l.path();
        assertThat(file.getParent()).isEqualTo(folder);
        assertThat(file.getFileName().toString())
                .startsWith(ProcessHandle.current().pid() + "-")
                .endsWith(".long");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        l.close();
        assertThat(file).doesNotExist();
        l.close(); // idempotent
        assertThatThrownBy(l::get).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aHandleThatArrivesAfterItsOwnerClosedItSaysSo() throws Exception {
        SharedArray.Longs a = SharedArray.longs(4);
        byte[] sent = serialize(a);
        assertThat(deserialize(sent)).as("in its own JVM a handle arrives as itself").isSameAs(a);
        a.close();
        assertThatThrownBy(() -> deserialize(sent))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is gone")
                .hasMessageContaining("closed it or exited");
    }

    @Test
    void theSweepDeletesOnlyFilesOfOwnersThatAreGone() throws Exception {
        Path folder = SharedMemory.folder();
        // a pid no process has (above the kernel's pid_max limit of 2^22), and this process with a
        // wrong start time
        Path deadPid = Files.createFile(folder.resolve("99999999-12345-1.long"));
        Path reusedPid =
                Files.createFile(folder.resolve(ProcessHandle.current().pid() + "-1-1.lock"));
        Path notOurs = Files.createFile(folder.resolve("readme.txt"));
        try (SharedLong live = SharedLong.create(0)) {
            assertThat(SharedMemory.sweep()).isEqualTo(2);
            assertThat(deadPid).doesNotExist();
            assertThat(reusedPid).doesNotExist();
            assertThat(live.path()).exists();
            assertThat(notOurs).exists();
        } finally {
            Files.deleteIfExists(notOurs);
        }
    }

    private static byte[] serialize(Object o) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(o);
        }
        return b.toByteArray();
    }

    private static Object deserialize(byte[] b) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
            return in.readObject();
        }
    }
}
