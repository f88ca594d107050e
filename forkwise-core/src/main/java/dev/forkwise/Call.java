package dev.forkwise;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link Callable} that is also {@link Serializable}: the task shape of {@link
 * Pool#submit(Call)}.
 *
 * <p>A lambda passed to {@code pool.submit(() -> ...)} becomes a {@code Call} (it is more specific
 * than {@code Callable}), so it can cross to a worker JVM unchanged.
 *
 * @param <R> the result type
 */
@FunctionalInterface
public interface Call<R> extends Callable<R>, Serializable {}
