package dev.forkwise.launch;

import dev.forkwise.Pool;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A short program: one process pool, one task, and main returns. Prints the worker's JVM arguments.
 */
public final class OnePoolMain {

    private OnePoolMain() {}

    public static void main(String[] args) throws Exception {
        try (Pool pool = Pool.processes(1)) {
            String workerArgs =
                    pool.submit(
                                    () ->
                                            String.join(
                                                    " ",
                                                    ProcessHandle.current()
                                                            .info()
                                                            .arguments()
                                                            .map(List::of)
                                                            .orElse(List.of())))
                            .get(60, TimeUnit.SECONDS);
            System.out.println("worker args: " + workerArgs);
        }
    }
}
