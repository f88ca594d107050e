package dev.forkwise.cli.lab;

import java.time.Duration;
import java.util.List;

/** The lab's experiments, in the order they run. */
public final class Lab {

    private Lab() {}

    /**
     * Returns every experiment, with the guides' own sizes.
     *
     * @return the experiments
     */
    public static List<Experiment> experiments() {
        return List.of(
                new SleepingSquares(Duration.ofSeconds(1)),
                new SumOfSquares(100_000_000, 4),
                new GlobalLock(50_000_000, 4),
                new TinyTasks(200_000),
                PoolSizes.computing(),
                PoolSizes.waiting(),
                new SharedCounter(200_000),
                new QueuesAndPipes(200_000),
                new AutoVersusFixed(),
                new CrashIsolation(),
                new MemoryPerWorker(),
                new LargeData(64),
                new ManySleepers(100_000, 10_000, 1_000, Duration.ofMillis(100)),
                new ClusterSum(100_000_000, 8));
    }
}
