package dev.forkwise;

import java.io.Serializable;

/**
 * A three-argument task, for {@link Pool#starmap(Fn3, Iterable)}: Python's {@code starmap(f, [(a,
 * b, c), ...])}. Like {@link Fn}, it may throw any exception and is {@link Serializable}.
 *
 * @param <A> the first argument's type
 * @param <B> the second argument's type
 * @param <C> the third argument's type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Fn3<A, B, C, R> extends Serializable {

    /**
     * Applies this function to one triple of arguments.
     *
     * @param a the first argument
     * @param b the second argument
     * @param c the third argument
     * @return the result; {@code null} is allowed
     * @throws Exception anything the task throws
     */
    R apply(A a, B b, C c) throws Exception;
}
