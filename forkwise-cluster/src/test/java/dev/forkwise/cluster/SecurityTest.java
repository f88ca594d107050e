package dev.forkwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forkwise.Pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A member started with an allowed-classes pattern refuses a task that carries a class outside it
 * before any of that class's code runs; the classes it allows run.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecurityTest {

    @TempDir Path tmp;

    /**
     * A value whose constructor leaves a marker file when it runs anywhere but where it was made: a
     * record is rebuilt through its constructor when it is deserialized.
     */
    record Forbidden(String marker, long madeIn) implements Serializable {
        Forbidden {
            if (ProcessHandle.current().pid() != madeIn) {
                try {
                    Files.writeString(Path.of(marker), "ran in " + ProcessHandle.current().pid());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** The same, in a class the pattern allows. */
    record Allowed(String marker, long madeIn) implements Serializable {
        Allowed {
            if (ProcessHandle.current().pid() != madeIn) {
                try {
                    Files.writeString(Path.of(marker), "ran in " + ProcessHandle.current().pid());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    @Test
    void aClassOutsideTheMembersPatternIsRefusedBeforeItsCodeRuns() throws Exception {
        long me = ProcessHandle.current().pid();
        Path refused = tmp.resolve("refused");
        Path allowed = tmp.resolve("allowed");
        try (Cluster cluster =
                        Cluster.local(List.of("127.0.0.2"), "!" + Forbidden.class.getName());
                Pool pool = cluster.pool()) {
            Forbidden bad = new Forbidden(refused.toString(), me);
            CompletableFuture<String> f = pool.submit(() -> bad.marker());
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasStackTraceContaining("REJECTED");
            assertThat(refused).as("the refused class's constructor never ran").doesNotExist();

            Allowed good = new Allowed(allowed.toString(), me);
            assertThat(pool.submit(() -> good.marker()).get(60, TimeUnit.SECONDS))
                    .isEqualTo(allowed.toString());
            assertThat(allowed).as("the allowed class was rebuilt on the member").exists();
        }
    }
}
