package dev.forkwise.cli.lab;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * Keeps this JVM's heap from being given back to the system while a measurement runs: {@code
 * MaxHeapFreeRatio} 100 (a manageable flag) from {@link #now()} until {@link #close()}, which puts
 * the value before back.
 *
 * <p>The lab and the bench start each run from {@code System.gc()}, so that one run's garbage is
 * not collected in the next one's time; and G1 shrinks the heap at each such collection. Every run
 * then paid for growing it back (committing memory, faulting its pages in): the lab's tiny job took
 * 60-70 ms with two young collections of about 17 ms each where on a heap kept at its size it took
 * about 21 ms, and a 64 MiB argument to a worker and back took about 150 ms rather than 115 (its 64
 * MiB result went to memory the heap had just given back). That is the measurement's own doing, not
 * the work's: a program's heap keeps its size between two pieces of work unless it calls {@code
 * System.gc()} itself.
 */
public final class HeapKept implements AutoCloseable {

    private final HotSpotDiagnosticMXBean hotSpot;
    private final String before;

    private HeapKept(HotSpotDiagnosticMXBean hotSpot, String before) {
        this.hotSpot = hotSpot;
        this.before = before;
    }

    /**
     * Keeps the heap at its size from now on, where this JVM lets it (a HotSpot JVM); elsewhere
     * changes nothing.
     *
     * @return what {@link #close()} undoes
     */
    public static HeapKept now() {
        HotSpotDiagnosticMXBean hs =
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (hs == null) {
            return new HeapKept(null, null);
        }
        try {
            String before = hs.getVMOption("MaxHeapFreeRatio").getValue();
            hs.setVMOption("MaxHeapFreeRatio", "100");
            return new HeapKept(hs, before);
        } catch (IllegalArgumentException e) {
            return new HeapKept(null, null); // not this JVM's flag, or not manageable here
        }
    }

    /** Puts {@code MaxHeapFreeRatio} back as it was. */
    @Override
    public void close() {
        if (hotSpot != null) {
            hotSpot.setVMOption("MaxHeapFreeRatio", before);
        }
    }
}
