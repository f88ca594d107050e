package dev.forkwise;

import dev.forkwise.advisor.Judge;
import dev.forkwise.advisor.Probe;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Measures a task and recommends where to run it: Python's "threads for waiting, processes for
 * computing" rule, replaced by a measurement, because in Java the answers differ.
 *
 * {@snippet :
 * Advice advice = Advisor.measure(Work::render, sampleInputs);
 * advice.reasons().forEach(System.out::println);
 * try (Pool pool = advice.newPool()) {
 *     pool.map(Work::render, allInputs, advice.chunkSize());
 * }
 * }
 *
 * <p>It runs the samples on a platform thread, one at a time, and measures per task the wall time,
 * the thread's CPU time, the time BLOCKED on monitors and the bytes allocated ({@link
 * java.lang.management.ThreadMXBean}); then on two threads per core (at least 4) at once, to see
 * whether the threads hold each other up (a global lock) and what parallel speedup they get; and,
 * when a worker JVM is a candidate, the cost of sending a task to one and back. From that, by the
 * same rules as {@link Pool#auto()}: the kind of work, the backend, the pool size (for waiting work
 * {@code cores × (1 + wait/compute)}, for mixed work enough threads that the cores are rarely idle,
 * for worker JVMs as many as the cores and the container's memory allow), the chunk size, and the
 * reasons.
 *
 * <p>It runs the task: samples should be representative and have no side effects that matter.
 * Measuring takes a few hundred milliseconds plus about two passes over the samples.
 */
public final class Advisor {

    private Advisor() {}

    /** What a task needs that cannot be measured: each of these sends it to worker JVMs. */
    public enum Need {
        /** It may crash its JVM (native code, {@code System.exit}, running out of memory). */
        MAY_CRASH,
        /** It must be stopped after a time limit, even if it ignores interrupts. */
        HARD_TIMEOUT,
        /** Its memory must be capped without risking the caller's JVM. */
        MEMORY_CAP,
        /** It is not thread-safe: it cannot share a JVM with copies of itself. */
        NOT_THREAD_SAFE
    }

    /**
     * A task with its sample inputs, for {@link #measure(Workload)} and {@code forkwise advise
     * --class-path <your classes> com.example.YourWorkload} (a public class with a public
     * no-argument constructor).
     *
     * @param <T> the input type
     * @param <R> the result type
     */
    public interface Workload<T, R> {
        /**
         * @return the task to measure
         */
        Fn<T, R> task();

        /**
         * @return representative inputs; the task runs on them, more than once
         */
        List<T> samples();

        /**
         * @return what the task needs that cannot be measured; none by default
         */
        default Set<Need> needs() {
            return Set.of();
        }
    }

    /** Measures a {@link Workload}. */
    public static <T, R> Advice measure(Workload<T, R> workload) {
        Objects.requireNonNull(workload, "workload");
        return measure(workload.task(), workload.samples(), workload.needs().toArray(new Need[0]));
    }

    /**
     * Measures {@code task} on {@code samples} and recommends how to run it.
     *
     * @param needs what the task needs that cannot be measured
     * @throws IllegalArgumentException if there are no samples, or a sample fails
     */
    public static <T, R> Advice measure(Fn<T, R> task, List<T> samples, Need... needs) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(samples, "samples");
        if (samples.isEmpty()) {
            throw new IllegalArgumentException(
                    "the advisor needs at least one sample input to measure the task on");
        }
        Set<Need> declared =
                needs.length == 0 ? EnumSet.noneOf(Need.class) : EnumSet.copyOf(List.of(needs));
        Probe.Result r = Probe.run(task, samples);
        return Judge.advise(r, declared, task, samples);
    }
}
