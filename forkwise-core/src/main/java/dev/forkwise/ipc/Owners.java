package dev.forkwise.ipc;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who holds something: a process is its pid plus its start time (so a reused pid is not mistaken
 * for the process that died), a thread is a number this JVM gives it. An owner word is {@code pid
 * << 32 | thread number}.
 *
 * <p>On Linux, liveness and start time come from {@code /proc/<pid>/stat}: a zombie (killed, not
 * yet reaped by its parent) counts as dead, which {@link ProcessHandle#isAlive()} would not say.
 * Elsewhere {@link ProcessHandle} answers.
 */
final class Owners {

    /** This process's pid. */
    static final long PID = ProcessHandle.current().pid();

    /** This process's start time, in the units {@link #startOf(long)} returns. */
    static final long START = startOf(PID);

    private static final AtomicInteger NEXT_THREAD = new AtomicInteger();
    private static final Map<Integer, WeakReference<Thread>> THREADS = new ConcurrentHashMap<>();
    private static final ThreadLocal<long[]> WORD =
            ThreadLocal.withInitial(
                    () -> {
                        int n = NEXT_THREAD.incrementAndGet() & 0x7fff_ffff;
                        THREADS.put(n, new WeakReference<>(Thread.currentThread()));
                        return new long[] {PID << 32 | n};
                    });

    private Owners() {}

    /**
     * @return the owner word of the calling thread: {@code pid << 32 | thread number}, never 0
     */
    static long me() {
        return WORD.get()[0];
    }

    /**
     * @return the pid in an owner word
     */
    static long pidOf(long word) {
        return word >>> 32;
    }

    /**
     * Whether the holder {@code word}, whose process started at {@code start} (0 when not known),
     * is gone: its process exited (or is a zombie), or its pid now names a different process, or,
     * in this JVM, its thread ended.
     */
    static boolean dead(long word, long start) {
        long pid = pidOf(word);
        if (pid == PID) {
            if (start != 0 && start != START) {
                return true;
            }
            WeakReference<Thread> t = THREADS.get((int) word);
            Thread thread = t == null ? null : t.get();
            return thread == null || !thread.isAlive();
        }
        return !alive(pid, start);
    }

    /** Whether process {@code pid}, started at {@code start} (0: any start), is alive. */
    static boolean alive(long pid, long start) {
        if (pid == PID) {
            return start == 0 || start == START;
        }
        long[] stat = stat(pid);
        if (stat != null) {
            return stat[0] != 0 && (start == 0 || stat[1] == start);
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent();
    }

    /** The start time of {@code pid} (clock ticks since boot on Linux), or 0 when not known. */
    static long startOf(long pid) {
        long[] stat = stat(pid);
        if (stat != null) {
            return stat[1];
        }
        return ProcessHandle.of(pid)
                .flatMap(h -> h.info().startInstant())
                .map(i -> i.toEpochMilli())
                .orElse(0L);
    }

    /**
     * {@code {alive ? 1 : 0, start}} from {@code /proc/<pid>/stat}; {@code {0, 0}} if the process
     * is gone; null where there is no {@code /proc}.
     */
    private static long[] stat(long pid) {
        String s;
        try {
            s =
                    new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat")),
                            StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return Files.isDirectory(Path.of("/proc/self")) ? new long[] {0, 0} : null;
        } catch (IOException e) {
            return Files.isDirectory(Path.of("/proc/self")) ? new long[] {0, 0} : null;
        }
        // pid (comm) state ppid ... ; comm may hold spaces and parentheses: the last ')' ends it
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        char state = f[0].charAt(0);
        long start = Long.parseLong(f[19]);
        return new long[] {state == 'Z' || state == 'X' ? 0 : 1, start};
    }
}
