package dev.forkwise.process;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread for every delayed action of the process backend: time limits, kills,
 * handshakes.
 */
final class Timers {

    private static final ScheduledExecutorService TIMER = create();

    private Timers() {}

    private static ScheduledExecutorService create() {
        ScheduledThreadPoolExecutor t =
                new ScheduledThreadPoolExecutor(
                        1,
                        r -> {
                            Thread th = new Thread(r, "forkwise-timer");
                            th.setDaemon(true);
                            return th;
                        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    static ScheduledFuture<?> schedule(Runnable r, long delay, TimeUnit unit) {
        return TIMER.schedule(guarded(r), delay, unit);
    }

    static ScheduledFuture<?> every(Runnable r, long period, TimeUnit unit) {
        return TIMER.scheduleWithFixedDelay(guarded(r), period, period, unit);
    }

    private static Runnable guarded(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        };
    }
}
