package dev.forkwise;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened (shared-memory handles, maps, lists), closed after it whatever happened, last
 * opened first: {@code @RegisterExtension final CloseAfter closing = new CloseAfter();} declared
 * before an {@link OpenPools}, so the pools stop before what their tasks used is closed.
 */
public final class CloseAfter implements AfterEachCallback {

    private final List<AutoCloseable> open = new ArrayList<>();

    /** Keeps {@code c} to close it after the test; returns it. */
    public <T extends AutoCloseable> T add(T c) {
        open.add(c);
        return c;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            for (AutoCloseable c : open.reversed()) {
                c.close();
            }
        } finally {
            open.clear();
        }
    }
}
