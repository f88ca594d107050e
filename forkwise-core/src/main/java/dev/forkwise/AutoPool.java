package dev.forkwise;

import java.time.Instant;
import java.util.List;

/**
 * A pool that chooses its own backend and size by measuring its tasks ({@link Pool#auto()}).
 *
 * <p>It starts on platform threads, one per core, and measures the first tasks (wall time, CPU
 * time, time blocked on locks); then it decides, as {@link Advisor} does: waiting work moves to
 * virtual threads, computing work stays on one platform thread per core (more for a mix of both),
 * and work that computes behind one global lock moves to worker JVMs, if its tasks can be sent
 * there. Afterwards it watches only each task's wall time; when that drifts far from what it was at
 * the decision, it measures a short probe again and decides again. It never runs more than {@link
 * #parallelism()} tasks at once. Each decision is kept with its reasons ({@link #decisions()}) and
 * recorded as a JFR event {@code dev.forkwise.AutoDecision}.
 */
public interface AutoPool extends Pool {

    /**
     * One decision.
     *
     * @param at when it was made
     * @param kind what the measured tasks are
     * @param backend where tasks run from then on
     * @param size how many at once
     * @param tasks how many tasks the decision rests on
     * @param reasons why, with the figures
     */
    record Decision(
            Instant at,
            Advice.Kind kind,
            Advice.Backend backend,
            int size,
            long tasks,
            List<String> reasons) {
        public Decision {
            reasons = List.copyOf(reasons);
        }
    }

    /**
     * @return the decisions so far, oldest first; empty until the first is made
     */
    List<Decision> decisions();
}
