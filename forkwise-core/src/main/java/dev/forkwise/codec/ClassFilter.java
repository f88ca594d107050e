package dev.forkwise.codec;

import java.io.ObjectInputFilter;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Proxy;
import java.util.Set;

/**
 * Which classes Java serialization may create when a value arrives from another process: the only
 * gate between bytes from a socket or shared memory and the constructors and {@code readObject}
 * methods of the classes they name. Values on the codec's fast paths (numbers, strings, byte
 * arrays, arrays of those, forkwise's own task shapes) never reach it: they are plain data.
 *
 * <h2>The allowed set</h2>
 *
 * <ul>
 *   <li>Classes of the application: those defined by a class loader other than the JDK's boot and
 *       platform loaders, that is, the user's own code and its libraries, which the user ships to
 *       the workers on purpose.
 *   <li>From the JDK, only value-like packages ({@code java.lang}, {@code java.util}, {@code
 *       java.util.concurrent}, {@code java.time}, {@code java.math}, ...), {@link SerializedLambda}
 *       (how a lambda travels) and any {@link Throwable} (how a failure travels). Everything else
 *       in the JDK (reflection proxies, JNDI, JMX, RMI, XML internals: the usual gadget material)
 *       is rejected.
 *   <li>If the user gave a pattern ({@link dev.forkwise.ProcessOptions#allowedClasses()}), it must
 *       allow the class too: it narrows the set, it never widens it.
 * </ul>
 *
 * <p>An array is judged by its element class. Beyond the classes, the codec refuses any array
 * longer than the stream has bytes, before it is allocated.
 */
public final class ClassFilter implements ObjectInputFilter {

    private static final Set<String> JDK_PACKAGES =
            Set.of(
                    "java.lang",
                    "java.util",
                    "java.util.concurrent",
                    "java.util.concurrent.atomic",
                    "java.util.regex",
                    "java.time",
                    "java.time.chrono",
                    "java.time.format",
                    "java.time.temporal",
                    "java.time.zone",
                    "java.math",
                    "java.net",
                    "java.nio.charset",
                    "java.text");

    private final ObjectInputFilter user;

    /**
     * Creates the filter.
     *
     * @param pattern the user's extra {@link ObjectInputFilter} pattern, or null for none
     * @throws IllegalArgumentException if the pattern is malformed
     */
    public ClassFilter(String pattern) {
        this.user = pattern == null ? null : ObjectInputFilter.Config.createFilter(pattern);
    }

    @Override
    public Status checkInput(FilterInfo info) {
        Class<?> c = info.serialClass();
        if (c == null) {
            return Status.UNDECIDED;
        }
        while (c.isArray()) {
            c = c.getComponentType();
        }
        if (!allowed(c)) {
            return Status.REJECTED;
        }
        if (user != null && !c.isPrimitive()) {
            Status s = user.checkInput(info);
            if (s == Status.REJECTED) {
                return s;
            }
        }
        return Status.ALLOWED;
    }

    /**
     * Whether {@code c} is in forkwise's allowed set (see the class comment), before any user
     * pattern.
     *
     * @param c a class, not an array class
     * @return whether it may be deserialized
     */
    public static boolean allowed(Class<?> c) {
        if (c.isPrimitive()) {
            return true;
        }
        ClassLoader l = c.getClassLoader();
        if (l != null && l != ClassLoader.getPlatformClassLoader()) {
            return true;
        }
        if (c == SerializedLambda.class || Throwable.class.isAssignableFrom(c)) {
            return true;
        }
        if (c.getModule() != Object.class.getModule()) {
            return false;
        }
        return JDK_PACKAGES.contains(c.getPackageName()) && !Proxy.isProxyClass(c);
    }
}
