package dev.forkwise.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs after every other test class (junit-platform.properties orders classes by {@link Order}):
 * the suite's shared-memory folder ({@code -Dforkwise.shm}, set by the build) must be empty. The
 * files of the test JVM and of its workers, killed or not, must all be gone, without a sweep here.
 */
@Order(Integer.MAX_VALUE)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NothingLeftBehindTest {

    @Test
    void noSharedMemoryFileIsLeftAfterTheSuite() throws Exception {
        Path folder = SharedMemory.folder();
        assertThat(System.getProperty("forkwise.shm"))
                .as("the build gives the suite its own folder")
                .isNotBlank();
        try (Stream<Path> files = Files.list(folder)) {
            List<String> left = files.map(p -> p.getFileName().toString()).toList();
            assertThat(left).as("files left in %s", folder).isEmpty();
        }
    }
}
