package dev.forkwise.engine;

import java.util.List;
import java.util.Map;

/**
 * A task made by the engine around the user's objects (a map chunk, a runnable with a result):
 * names those objects the way the user sees them, so a backend that must send the task to another
 * JVM can say which one could not be sent ("fn", "map input #3 (x)").
 */
public interface Parts {

    /**
     * Returns the user's objects inside this task, each with its name.
     *
     * @return name → object, in order
     */
    List<Map.Entry<String, Object>> parts();
}
