package dev.forkwise.advisor;

/**
 * Tells an automatic pool when its work has changed: mean wall times per window of {@link #TASKS}
 * tasks, against the first window after a decision; {@link #WINDOWS} windows in a row more than
 * {@link #FACTOR}× away from it mean a new probe. One slow window (a collection pause) does not;
 * there is no continuous hill-climbing. Guarded by the pool's lock.
 */
final class Drift {

    static final double FACTOR = 4;
    static final int TASKS = 32;
    static final int WINDOWS = 3;

    private double baseline;
    private long windowWall;
    private int windowTasks;
    private int drifting;

    /** Starts over after a decision: the next full window is the baseline. */
    void reset() {
        baseline = 0;
        windowWall = 0;
        windowTasks = 0;
        drifting = 0;
    }

    /**
     * Counts one task's wall time.
     *
     * @param wall nanoseconds
     * @return whether the work has drifted far enough to probe again
     */
    boolean add(long wall) {
        windowWall += wall;
        if (++windowTasks < TASKS) {
            return false;
        }
        double mean = windowWall / (double) windowTasks;
        windowWall = 0;
        windowTasks = 0;
        if (baseline == 0) {
            baseline = Math.max(1, mean);
            return false;
        }
        double ratio = mean / baseline;
        drifting = ratio > FACTOR || ratio < 1 / FACTOR ? drifting + 1 : 0;
        return drifting >= WINDOWS;
    }
}
