package dev.forkwise.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

/**
 * The lab and the bench keep the heap at its size while they measure, and put the flag back after.
 */
class HeapKeptTest {

    private static final HotSpotDiagnosticMXBean HOT_SPOT =
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

    private static String maxHeapFreeRatio() {
        return HOT_SPOT.getVMOption("MaxHeapFreeRatio").getValue();
    }

    @Test
    void theHeapKeepsItsSizeWhileKeptAndTheFlagComesBackAfter() {
        String before = maxHeapFreeRatio();
        try (HeapKept kept = HeapKept.now()) {
            assertThat(maxHeapFreeRatio()).isEqualTo("100");
        }
        assertThat(maxHeapFreeRatio()).isEqualTo(before);
    }

    @Test
    void keepingItTwiceAtOnceStillPutsTheFirstValueBack() {
        String before = maxHeapFreeRatio();
        try (HeapKept outer = HeapKept.now()) {
            try (HeapKept inner = HeapKept.now()) {
                assertThat(maxHeapFreeRatio()).isEqualTo("100");
            }
            assertThat(maxHeapFreeRatio()).isEqualTo("100");
        }
        assertThat(maxHeapFreeRatio()).isEqualTo(before);
    }
}
