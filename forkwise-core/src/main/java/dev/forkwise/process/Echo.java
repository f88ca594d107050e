package dev.forkwise.process;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Waiters for {@code ECHO} frames: the raw round trip over the channel, without a task. */
final class Echo {

    private static final AtomicLong IDS = new AtomicLong();
    private static final Map<Long, CompletableFuture<Void>> WAITING = new ConcurrentHashMap<>();

    private Echo() {}

    static long expect(CompletableFuture<Void> f) {
        long id = IDS.incrementAndGet();
        WAITING.put(id, f);
        return id;
    }

    static void answered(long id) {
        CompletableFuture<Void> f = WAITING.remove(id);
        if (f != null) {
            f.complete(null);
        }
    }

    static void forget(long id) {
        WAITING.remove(id);
    }
}
