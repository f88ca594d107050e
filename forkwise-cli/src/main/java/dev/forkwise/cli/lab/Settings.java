package dev.forkwise.cli.lab;

/**
 * How thorough a lab run is.
 *
 * @param quick fewer rounds, so the whole lab finishes in under 30 s
 */
public record Settings(boolean quick) {

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
}
