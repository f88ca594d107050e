package dev.forkwise.engine;

import java.io.Serializable;

/** A three-argument {@code starmap}'s arguments, serializable whatever list they came from. */
record Triple(Object a, Object b, Object c) implements Serializable {
    @Override
    public String toString() {
        return a + ", " + b + ", " + c;
    }
}
