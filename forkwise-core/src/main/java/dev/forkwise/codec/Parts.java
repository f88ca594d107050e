package dev.forkwise.codec;

import java.util.List;
import java.util.Map;

/**
 * A task made by forkwise around the user's objects (a map chunk, a runnable with a result): names
 * those objects the way the user sees them, so that when the task cannot be sent to another JVM the
 * {@link Transfer} check can say which one ("fn", "map input #3 (x)").
 */
public interface Parts {

    /**
     * Returns the user's objects inside this task, each with its name.
     *
     * @return name → object, in order
     */
    List<Map.Entry<String, Object>> parts();
}
