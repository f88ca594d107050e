package dev.forkwise.bench;

import dev.forkwise.Pool;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One task handed off and its result waited for, one at a time: the round trip a caller pays per
 * {@code submit(...).join()}. The baseline {@code juc} is a plain {@code
 * Executors.newFixedThreadPool} with {@code submit(...).get()}, measured in the same run.
 *
 * <pre>java -jar forkwise-bench/target/benchmarks.jar HandOff -f 1 -wi 1 -i 3</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class HandOffBenchmark {

    @Param({"juc", "threads", "virtualThreads", "virtualThreadsBounded"})
    public String backend;

    private Pool pool;
    private ExecutorService juc;

    @Setup
    public void open() {
        if (backend.equals("juc")) {
            juc = Executors.newFixedThreadPool(Backends.WORKERS);
        } else {
            pool = Backends.open(backend);
        }
    }

    @TearDown
    public void close() {
        if (juc != null) {
            juc.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    @Benchmark
    public Integer submitAndWait() throws InterruptedException, ExecutionException {
        if (juc != null) {
            return juc.submit(() -> 1).get();
        }
        return pool.submit(() -> 1).get();
    }
}
