package dev.forkwise.cli.lab;

/**
 * How thorough a lab run is, and whether Python runs beside it.
 *
 * @param quick fewer rounds, so the whole lab finishes in under a minute on 2 cores
 * @param python the guides' Python code to run beside the Java, or null for none
 */
public record Settings(boolean quick, PythonSide python) {

    /**
     * Settings without Python.
     *
     * @param quick fewer rounds
     */
    public Settings(boolean quick) {
        this(quick, null);
    }

    /**
     * Returns how many times to repeat a measurement.
     *
     * @param quickRounds rounds in quick mode
     * @param fullRounds rounds otherwise
     * @return the rounds
     */
    public int rounds(int quickRounds, int fullRounds) {
        return quick ? quickRounds : fullRounds;
    }

    /**
     * Whether Python measurements are wanted and possible.
     *
     * @return true when python3 runs beside the Java
     */
    public boolean withPython() {
        return python != null && python.available();
    }
}
