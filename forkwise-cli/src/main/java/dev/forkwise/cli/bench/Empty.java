package dev.forkwise.cli.bench;

/** A main that does nothing: the bare JVM start that {@code forkwise bench} times. */
public final class Empty {
    private Empty() {}

    /**
     * Does nothing.
     *
     * @param args ignored
     */
    public static void main(String[] args) {}
}
