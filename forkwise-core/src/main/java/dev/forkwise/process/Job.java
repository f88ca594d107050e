package dev.forkwise.process;

import dev.forkwise.engine.TaskFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One request to the workers: a task's future, its id and its bytes, serialized once at submit.
 * Mutable fields are guarded by the backend's lock.
 */
final class Job {

    final long id;
    final TaskFuture<?> future;
    final Wire.Message payload;
    final ClassLoader loader;

    Worker worker;
    int attempts;
    long sentNanos;
    ScheduledFuture<?> timeout;

    Job(long id, TaskFuture<?> future, Wire.Message payload, ClassLoader loader) {
        this.id = id;
        this.future = future;
        this.payload = payload;
        this.loader = loader;
    }

    String description() {
        return future.description();
    }
}
