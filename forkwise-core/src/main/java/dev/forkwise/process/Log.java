package dev.forkwise.process;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * What the process backend tells an operator, through {@link System.Logger} (logger {@code
 * dev.forkwise}), so it reaches whatever logging the application uses (java.util.logging by
 * default; SLF4J, Log4j and others through their {@code System.LoggerFinder}) with no dependency. A
 * healthy pool is quiet: worker starts and stops are {@code DEBUG}; a crash, a replacement, a start
 * that fails or backs off is {@code WARNING}; a pool that gives up starting workers is {@code
 * ERROR}; the AOT cache's training is {@code DEBUG}, and {@code WARNING} if it fails.
 */
final class Log {

    static final Logger LOGGER = System.getLogger("dev.forkwise");

    private Log() {}

    static void debug(String format, Object... args) {
        if (LOGGER.isLoggable(Level.DEBUG)) {
            LOGGER.log(Level.DEBUG, String.format(format, args));
        }
    }

    static void warning(String format, Object... args) {
        if (LOGGER.isLoggable(Level.WARNING)) {
            LOGGER.log(Level.WARNING, String.format(format, args));
        }
    }

    static void error(String format, Object... args) {
        if (LOGGER.isLoggable(Level.ERROR)) {
            LOGGER.log(Level.ERROR, String.format(format, args));
        }
    }
}
