package dev.forkwise.bench;

import dev.forkwise.Pool;

/** The forkwise backends a benchmark can run on, by the name used in {@code @Param}. */
final class Backends {

    /** Workers for the bounded backends: one per core, as for computing. */
    static final int WORKERS = Runtime.getRuntime().availableProcessors();

    private Backends() {}

    static Pool open(String name) {
        return switch (name) {
            case "threads" -> Pool.threads(WORKERS);
            case "virtualThreads" -> Pool.virtualThreads();
            case "virtualThreadsBounded" -> Pool.virtualThreads(WORKERS);
            default -> throw new IllegalArgumentException("no forkwise backend '" + name + "'");
        };
    }
}
