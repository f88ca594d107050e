package dev.forkwise.process;

/** Names of POSIX signals, for exit codes of the form {@code 128 + n}. */
final class Signals {

    private static final String[] NAMES = {
        null,
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS"
    };

    private Signals() {}

    /**
     * The signal behind an exit code as {@link Process#exitValue()} reports it on Unix ({@code 128
     * + n} for signal {@code n}), or null when the process exited by itself.
     */
    static String fromExitCode(int exitCode) {
        int n = exitCode - 128;
        if (n <= 0 || n >= NAMES.length || isWindows()) {
            return null;
        }
        return NAMES[n];
    }

    /**
     * Whether {@code signal} is one a process gets from its own fault (a native crash, an abort).
     */
    static boolean isCrash(String signal) {
        return switch (signal) {
            case "SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT", "SIGTRAP", "SIGSYS" -> true;
            default -> false;
        };
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").startsWith("Windows");
    }
}
