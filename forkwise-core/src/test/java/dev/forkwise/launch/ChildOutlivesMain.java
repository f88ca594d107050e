package dev.forkwise.launch;

import dev.forkwise.ChildProcess;
import dev.forkwise.Markers;

/**
 * A {@code main} that starts a child and returns at once, as a Python script that calls {@code
 * Process(target=f).start()} and ends: args are the marker folder and {@code daemon} or not.
 */
public final class ChildOutlivesMain {

    private ChildOutlivesMain() {}

    public static void main(String[] args) {
        String dir = args[0];
        boolean daemon = args[1].equals("daemon");
        ChildProcess<Void> child =
                ChildProcess.builder()
                        .daemon(daemon)
                        .run(
                                () -> {
                                    Thread.sleep(1_500);
                                    Markers.touch(dir, "child-done");
                                });
        Markers.touch(dir, "main-returns-" + child.pid());
    }
}
