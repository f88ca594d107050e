package dev.forkwise.engine;

import java.io.Serializable;

/** A {@code starmap} argument pair, serializable whatever {@code Map.Entry} it came from. */
record Pair(Object a, Object b) implements Serializable {
    @Override
    public String toString() {
        return a + ", " + b;
    }
}
