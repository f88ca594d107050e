package dev.forkwise.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;

/**
 * The automatic pool's own clocks: time waiting for a core, time stopped for garbage collection,
 * and the samples that tell a task that waits from one that the JVM holds up.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AutoBackendMeasuresTest {

    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");

    @Test
    void anInterruptMeantForATaskNeverReachesItsThreadOnceTheTaskHasEnded() {
        RunningTask task =
                new RunningTask(Thread.currentThread(), System.nanoTime(), -1, 0, 0, null, 0);
        assertThat(task.begin()).isTrue();
        task.stop();
        assertThat(Thread.interrupted()).as("interrupted while the task runs").isTrue();
        task.ended();
        task.stop();
        assertThat(Thread.interrupted())
                .as("the thread has gone on to another pool's task")
                .isFalse();
    }

    @Test
    void aTaskStoppedBeforeItIsAdmittedNeverBegins() {
        RunningTask task =
                new RunningTask(Thread.currentThread(), System.nanoTime(), -1, 0, 0, null, 0);
        task.stop();
        assertThat(Thread.interrupted())
                .as("no thread runs it yet: nothing to interrupt")
                .isFalse();
        assertThat(task.begin()).as("shutdownNow came first: it never runs").isFalse();
    }

    @Test
    void runDelayIsTheSecondFieldOfTheThreadsSchedstat() throws Exception {
        assumeTrue(Files.isReadable(SCHEDSTAT), "Linux with schedstat");
        for (int i = 0; i < 20; i++) {
            long before = ThreadMeasures.runDelay();
            long read = Long.parseLong(Files.readString(SCHEDSTAT).trim().split(" ")[1]);
            long after = ThreadMeasures.runDelay();
            assertThat(read).isBetween(before, after);
            Thread.yield(); // a chance to wait for a core between rounds
        }
    }

    @Test
    void aThreadsSchedstatIsFoundByItsTaskIdSoThatAnotherThreadCanReadIt() throws Exception {
        assumeTrue(Files.isReadable(SCHEDSTAT), "Linux with schedstat");
        String[] path = new String[1];
        long[] delays = new long[3];
        Thread t =
                new Thread(
                        () -> {
                            path[0] = ThreadMeasures.ownSchedstat();
                            delays[0] = ThreadMeasures.runDelay();
                            delays[1] = ThreadMeasures.runDelay(path[0]);
                            delays[2] = ThreadMeasures.runDelay();
                        });
        t.start();
        t.join();
        long pid = ProcessHandle.current().pid();
        assertThat(path[0])
                .matches("/proc/" + pid + "/task/\\d+/schedstat")
                .isNotEqualTo("/proc/" + pid + "/task/" + pid + "/schedstat");
        assertThat(delays[1]).isBetween(delays[0], delays[2]);
    }

    @Test
    void aFullCollectionWithLiveDataCountsAsPauseTime() {
        List<int[]> live = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            live.add(new int[4_096]); // 64 MiB that the collection has to walk or move
        }
        long before = ThreadMeasures.gcPauseMillis();
        System.gc();
        long after = ThreadMeasures.gcPauseMillis();
        assertThat(live).hasSize(4_000);
        assertThat(after)
                .as("pause milliseconds after System.gc() with 64 MiB live")
                .isGreaterThan(before);
    }

    private static final long MS = 1_000_000L;

    @Test
    void aThreadThatSleepsParksOrBlocksInNativeIoIsAsleepAndOneThatComputesIsNot()
            throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        try (ServerSocket server = new ServerSocket(0)) {
            List<Thread> asleep =
                    List.of(
                            Thread.ofPlatform().start(() -> sleepQuietly(10_000)),
                            Thread.ofPlatform().start(() -> LockSupport.parkNanos(10_000 * MS)),
                            Thread.ofPlatform()
                                    .start(
                                            () -> {
                                                try {
                                                    server.accept(); // blocks in native code,
                                                    // where a thread is RUNNABLE
                                                } catch (IOException e) {
                                                    // closed at the end of the test
                                                }
                                            }));
            Thread spinning =
                    Thread.ofPlatform()
                            .start(
                                    () -> {
                                        go.countDown();
                                        long x = 1;
                                        while (!stop.get()) { // Java code only: a native call (even
                                            // System.nanoTime) is in native
                                            x = x * 6364136223846793005L + 1442695040888963407L;
                                        }
                                        if (x == 42) {
                                            System.out.print("");
                                        }
                                    });
            go.await();
            long deadline = System.nanoTime() + 10_000 * MS;
            for (Thread t : asleep) {
                while (!ThreadMeasures.asleepOrInNative(info(t)) && System.nanoTime() < deadline) {
                    Thread.sleep(5); // until the thread has got where it waits
                }
                assertThat(ThreadMeasures.asleepOrInNative(info(t)))
                        .as("%s in %s", t, info(t).getThreadState())
                        .isTrue();
            }
            for (int i = 0; i < 20; i++) {
                assertThat(ThreadMeasures.asleepOrInNative(info(spinning)))
                        .as("a spinning thread")
                        .isFalse();
            }
            stop.set(true);
            spinning.join();
            asleep.forEach(Thread::interrupt);
            LockSupport.unpark(asleep.get(1));
        }
        // closing the server socket ends the accept
    }

    private static ThreadInfo info(Thread t) {
        return ManagementFactory.getThreadMXBean().getThreadInfo(t.threadId());
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            // the end of the test
        }
    }

    @Test
    void timeOffTheCpuThatTheSamplesNeverFoundAsleepIsHeldUpNotWaiting() {
        // 20 ms of tasks' own time: 5 on the CPU, 15 neither on it nor blocked; 30 ms of samples
        assertThat(LiveProbe.heldUpNanos(20 * MS, 5 * MS, 0, 30 * MS, 0)).isEqualTo(15 * MS);
        // the samples found them asleep all the time: it is waiting
        assertThat(LiveProbe.heldUpNanos(20 * MS, 5 * MS, 0, 30 * MS, 30 * MS)).isZero();
        // blocked on a lock is neither: of 15 ms off the CPU, 10 are blocked
        assertThat(LiveProbe.heldUpNanos(20 * MS, 5 * MS, 10 * MS, 30 * MS, 0)).isEqualTo(5 * MS);
    }

    @Test
    void tooFewSamplesChangeNothing() {
        long few = LiveProbe.MIN_SAMPLED_NANOS - 1;
        assertThat(LiveProbe.heldUpNanos(20 * MS, 5 * MS, 0, few, 0)).isZero();
        assertThat(LiveProbe.heldUpNanos(20 * MS, 5 * MS, 0, LiveProbe.MIN_SAMPLED_NANOS, 0))
                .isEqualTo(15 * MS);
    }

    @Test
    void halfAsleepInTheSamplesIsNotTakenForHeldUpComputing() {
        // a 50/50 mix of computing and sleeping that 20 samples happened to find asleep 8 times,
        // not 10: the top of the asleep share's range still covers the time off the CPU
        assertThat(LiveProbe.heldUpNanos(100 * MS, 50 * MS, 0, 20 * MS, 8 * MS)).isZero();
    }

    static LongStream seeds() {
        return new Random(20261122).longs(40);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void heldUpTimeIsPartOfTheTimeOffTheCpuAndShrinksAsMoreSamplesFindTheTasksAsleep(long seed) {
        Random r = new Random(seed);
        long own = (1 + r.nextInt(1_000)) * MS;
        long cpu = (long) (own * r.nextDouble());
        long blocked = (long) ((own - cpu) * r.nextDouble());
        long sampled = LiveProbe.MIN_SAMPLED_NANOS + (long) (r.nextDouble() * 2 * own);
        long asleep = (long) (sampled * r.nextDouble());
        long heldUp = LiveProbe.heldUpNanos(own, cpu, blocked, sampled, asleep);
        assertThat(heldUp).isBetween(0L, own - cpu - blocked);
        long more = Math.min(sampled, asleep + sampled / 10);
        assertThat(LiveProbe.heldUpNanos(own, cpu, blocked, sampled, more))
                .isLessThanOrEqualTo(heldUp);
    }
}
