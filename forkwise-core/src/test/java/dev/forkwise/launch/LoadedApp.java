package dev.forkwise.launch;

import dev.forkwise.ChildProcess;
import dev.forkwise.Pool;

import java.util.List;

/**
 * An application whose classes, forkwise's included, come from a {@link java.net.URLClassLoader}
 * that the JVM's class path does not name, as under {@code mvn exec:java} or in a plugin host.
 */
public final class LoadedApp {

    private LoadedApp() {}

    static int twice(int x) {
        return 2 * x;
    }

    public static void main(String[] args) throws Exception {
        try (Pool pool = Pool.processes(1)) {
            System.out.println("pool: " + pool.map(LoadedApp::twice, List.of(1, 2, 3)));
        }
        System.out.println("child: " + ChildProcess.start(() -> twice(21)).result());
    }
}
