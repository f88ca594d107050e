package dev.forkwise;

import java.io.Serializable;

/**
 * A function that a pool applies to each input: the task shape of {@code map}, {@code imap} and
 * {@code applyAsync}.
 *
 * <p>Unlike {@link java.util.function.Function}, {@code apply} may throw any exception, as {@link
 * java.util.concurrent.Callable#call()} may: the seeds' tasks sleep, read files and call servers. A
 * thrown exception reaches the caller as {@link TaskFailedException} with the original exception as
 * its cause.
 *
 * <p>{@code Fn} is {@link Serializable}, so a lambda or method reference written against it can be
 * sent to a worker JVM: the same task code runs on every backend. Keep what the lambda captures
 * serializable (or capture nothing) if the task may run on a process pool.
 *
 * @param <T> the input type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Fn<T, R> extends Serializable {

    /**
     * Applies this function to one input.
     *
     * @param input the input, never {@code null} (pools reject null inputs at the call)
     * @return the result; {@code null} is allowed
     * @throws Exception anything the task throws; the pool reports it as {@link
     *     TaskFailedException}
     */
    R apply(T input) throws Exception;
}
