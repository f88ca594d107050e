package dev.forkwise.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Copies a worker's stdout or stderr to the parent's, line by line, each line prefixed with the
 * worker's pid, and remembers the last lines (for {@link dev.forkwise.WorkerCrashedException}).
 * Runs on a virtual thread; a worker's output never touches the task channel.
 */
final class OutputPump {

    static final int KEPT_LINES = 20;

    private final ArrayDeque<String> last = new ArrayDeque<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile String prefix;

    private OutputPump(String prefix) {
        this.prefix = prefix;
    }

    static OutputPump start(InputStream in, Supplier<PrintStream> to, String prefix, String name) {
        OutputPump p = new OutputPump(prefix);
        Thread.ofVirtual().name(name).start(() -> p.run(in, to));
        return p;
    }

    /** Changes the prefix of the lines to come. */
    void prefix(String newPrefix) {
        prefix = newPrefix;
    }

    private void run(InputStream in, Supplier<PrintStream> to) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, Charset.defaultCharset()))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (last) {
                    if (last.size() == KEPT_LINES) {
                        last.removeFirst();
                    }
                    last.addLast(line);
                }
                PrintStream out = to.get();
                out.println(prefix + line);
            }
        } catch (IOException ignored) {
            // the worker is gone
        } finally {
            ended.countDown();
        }
    }

    /** Waits (briefly) for the stream to end, so the last lines are all in. */
    void awaitEnd(long millis) {
        try {
            ended.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines, oldest first. */
    List<String> lastLines() {
        synchronized (last) {
            return List.copyOf(last);
        }
    }
}
