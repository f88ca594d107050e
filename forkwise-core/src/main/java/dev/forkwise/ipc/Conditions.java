package dev.forkwise.ipc;

import java.util.concurrent.atomic.AtomicReferenceArray;

/** A lock's conditions in this JVM: one {@link SharedCondition} per index of its shared table. */
final class Conditions {

    private final LockHandle lock;
    private final AtomicReferenceArray<SharedCondition> made =
            new AtomicReferenceArray<>(LockDescriptor.CONDITIONS);

    Conditions(LockHandle lock) {
        this.lock = lock;
    }

    /** A new condition: the next free table of the lock's memory, in whichever process asks. */
    SharedCondition create() {
        Handle h = lock;
        while (true) {
            long n =
                    (long)
                            Segment.LONG.getVolatile(
                                    h.memory, LockDescriptor.CONDITION_COUNT_OFFSET);
            if (n >= LockDescriptor.CONDITIONS) {
                throw new IllegalStateException(
                        h
                                + " already has "
                                + LockDescriptor.CONDITIONS
                                + " conditions, the most a shared lock has; share one condition"
                                + " and signalAll(), or use another lock");
            }
            if (Segment.LONG.compareAndSet(
                    h.memory, LockDescriptor.CONDITION_COUNT_OFFSET, n, n + 1)) {
                return get((int) n);
            }
        }
    }

    /** Condition {@code index}, the same object each time. */
    SharedCondition get(int index) {
        if (index < 0 || index >= LockDescriptor.CONDITIONS) {
            throw new IllegalArgumentException("no condition " + index);
        }
        SharedCondition c = made.get(index);
        if (c == null) {
            made.compareAndSet(index, null, new SharedCondition(lock, index));
            c = made.get(index);
        }
        return c;
    }
}
