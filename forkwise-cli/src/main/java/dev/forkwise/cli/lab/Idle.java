package dev.forkwise.cli.lab;

/** A main that says it is up and waits until killed: a bare JVM, to measure. */
public final class Idle {
    private Idle() {}

    /**
     * Prints one line and sleeps.
     *
     * @param args ignored
     * @throws InterruptedException never in practice
     */
    public static void main(String[] args) throws InterruptedException {
        System.out.println("up");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
