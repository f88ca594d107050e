package dev.forkwise.engine;

/** What the engine says about inputs. */
final class Inputs {

    /** How to fix a null input, on every backend: {@code Optional} works on threads only. */
    static final String NULL_FIX =
            " (filter nulls out first; for an optional value pass a record with a nullable field:"
                + " Optional cannot be sent to a worker JVM)";

    private Inputs() {}
}
