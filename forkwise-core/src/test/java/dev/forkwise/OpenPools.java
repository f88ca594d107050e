package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The pools and executors a test made, shut down after it whatever happened, with the worker JVMs
 * they left: {@code @RegisterExtension final OpenPools open = new OpenPools();} and {@code
 * open.add(Pool.processes(2))}.
 */
public final class OpenPools implements AfterEachCallback {

    private final List<ExecutorService> open = new ArrayList<>();

    /** Keeps {@code e} to shut it down after the test; returns it. */
    public <E extends ExecutorService> E add(E e) {
        open.add(e);
        return e;
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        try {
            for (ExecutorService e : open) {
                e.shutdownNow();
                assertThat(e.awaitTermination(30, TimeUnit.SECONDS))
                        .as("%s terminates after shutdownNow", e)
                        .isTrue();
            }
        } finally {
            open.clear();
            Workers.killAll();
        }
    }
}
