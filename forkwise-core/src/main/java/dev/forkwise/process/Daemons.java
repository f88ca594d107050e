package dev.forkwise.process;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The platform daemon threads of the process backend.
 *
 * <p>Everything here blocks in native code: reading a worker's stdout and stderr pipes, waiting for
 * a process to exit, reading a socket handshake. None of it may run on a virtual thread: a virtual
 * thread blocked in a native read holds its carrier, and a few such readers (two pumps per worker)
 * leave the JDK's virtual-thread scheduler with no carrier at all once its compensating threads
 * time out, so every virtual thread in the JVM stops. Hence plain daemon threads, which also never
 * keep the JVM alive.
 */
final class Daemons {

    /** Where worker exits are handled: one thread per exit at most, kept a minute for the next. */
    static final ExecutorService EXITS =
            Executors.newCachedThreadPool(
                    Thread.ofPlatform().daemon().name("forkwise-exit").factory());

    private Daemons() {}

    /** Starts {@code r} on a new platform daemon thread called {@code name}. */
    static Thread start(String name, Runnable r) {
        return Thread.ofPlatform().daemon().name(name).start(r);
    }
}
