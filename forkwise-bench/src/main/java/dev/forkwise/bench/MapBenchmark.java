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

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * {@code map} and {@code imap} over many trivial items with automatic chunking: the throughput of
 * the engine's chunking and result gathering. Baselines in the same run: a plain loop ({@code
 * sequential}) and {@code List.parallelStream()} ({@code parallelStream}).
 *
 * <pre>java -jar forkwise-bench/target/benchmarks.jar Map -f 1 -wi 1 -i 3</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class MapBenchmark {

    @Param({"sequential", "parallelStream", "threads", "virtualThreadsBounded"})
    public String backend;

    @Param({"100000"})
    public int items;

    private Pool pool;
    private List<Integer> inputs;

    @Setup
    public void open() {
        inputs = IntStream.range(0, items).boxed().toList();
        if (!backend.equals("sequential") && !backend.equals("parallelStream")) {
            pool = Backends.open(backend);
        }
    }

    @TearDown
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }

    private static Integer work(Integer x) {
        return x * 31 + 7;
    }

    @Benchmark
    public int map() {
        return switch (backend) {
            case "sequential" -> inputs.stream().map(MapBenchmark::work).toList().size();
            case "parallelStream" ->
                    inputs.parallelStream().map(MapBenchmark::work).toList().size();
            default -> pool.map(MapBenchmark::work, inputs).size();
        };
    }

    /**
     * Every variant sums its results, so none can skip the work (a sized stream's {@code count()}
     * would not run {@code map} at all).
     */
    @Benchmark
    public long imapChunked() {
        return switch (backend) {
            case "sequential" ->
                    inputs.stream().map(MapBenchmark::work).mapToLong(Integer::longValue).sum();
            case "parallelStream" ->
                    inputs.parallelStream()
                            .map(MapBenchmark::work)
                            .mapToLong(Integer::longValue)
                            .sum();
            default ->
                    pool.imap(MapBenchmark::work, inputs, 1_000)
                            .mapToLong(Integer::longValue)
                            .sum();
        };
    }
}
