package dev.forkwise;

import java.io.Serializable;

/**
 * A two-argument task, the shape of {@link Pool#starmap}: Python's {@code starmap(f, [(a, b),
 * ...])}.
 *
 * <p>Like {@link Fn}, it may throw any exception and is {@link Serializable}.
 *
 * @param <A> the first argument's type
 * @param <B> the second argument's type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Fn2<A, B, R> extends Serializable {

    /**
     * Applies this function to one pair of arguments.
     *
     * @param a the first argument
     * @param b the second argument
     * @return the result; {@code null} is allowed
     * @throws Exception anything the task throws; the pool reports it as {@link
     *     TaskFailedException}
     */
    R apply(A a, B b) throws Exception;
}
