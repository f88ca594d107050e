package dev.forkwise.process;

import dev.forkwise.codec.Message;
import dev.forkwise.codec.Packed;
import dev.forkwise.codec.Portable;
import dev.forkwise.engine.TaskFuture;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * One request to the workers: a task's future, its id and its bytes, serialized once at submit.
 * Mutable fields are guarded by the backend's lock, except the payload's, which are guarded by this
 * object's monitor.
 *
 * <p><b>Large arrays are borrowed until submit returns.</b> The payload is encoded without copying
 * the caller's large arrays (frame attachments). Before {@code submit} returns, {@link #settle}
 * makes sure the caller can change them afterwards without changing what the task sees: if the
 * frame has been written by then (the usual case when a worker is free), nothing is copied; if it
 * is still queued, or may be sent again to a fresh worker, the arrays are copied then. A send holds
 * this object's monitor while it writes, so {@code settle} waits for a send under way.
 */
final class Job {

    final long id;
    final TaskFuture<?> future;
    final ClassLoader loader;

    /** Whether the reply may be decoded packed ({@link Packed}): a map chunk's. */
    final boolean packable;

    /**
     * Whether the payload borrows the caller's large arrays: such a job is sent only to a worker
     * with a free thread, never queued ahead in a worker, so it is never sent twice unless {@link
     * #settle} copied them.
     */
    final boolean large;

    private Message payload; // guarded by this
    private boolean sent; // guarded by this
    private boolean settled; // guarded by this

    Worker worker;
    int attempts;
    ScheduledFuture<?> timeout;

    Job(long id, TaskFuture<?> future, Message payload, ClassLoader loader) {
        this.id = id;
        this.future = future;
        this.payload = payload;
        this.loader = loader;
        this.packable = Portable.packsResults(future.task());
        this.large = payload.attachments().length > 0;
        this.settled = !large;
    }

    /**
     * Writes this job's task frame, of {@code type} {@link Wire#TASK} or {@link
     * Wire#TASK_SAY_START}.
     */
    synchronized void sendOn(Wire wire, byte type) throws IOException {
        wire.send(type, id, payload);
        sent = true;
    }

    /**
     * Called once by the submitting thread before submit returns: stops borrowing the caller's
     * arrays, copying them unless the frame has already been written and will not be written again.
     */
    synchronized void settle(boolean mayBeSentAgain) {
        if (!settled) {
            settled = true;
            if (!sent || mayBeSentAgain) {
                payload = payload.withOwnAttachments();
            }
        }
    }

    /**
     * Writes the task frames of {@code jobs}, none of them {@link #large}, with one flush.
     *
     * @param wire the worker's channel
     * @param jobs the jobs, in the order they go out
     * @throws IOException if the channel fails
     */
    static void sendAll(Wire wire, List<Job> jobs) throws IOException {
        long[] ids = new long[jobs.size()];
        Message[] messages = new Message[ids.length];
        for (int i = 0; i < ids.length; i++) {
            Job j = jobs.get(i);
            ids[i] = j.id;
            messages[i] = j.payload(); // settled at construction: no large arrays to guard
        }
        wire.sendAll(Wire.TASK, ids, messages);
    }

    private synchronized Message payload() {
        return payload;
    }

    String description() {
        return future.description();
    }
}
