package dev.forkwise;

/** The {@link Call}s that forkwise builds around other task types. */
final class Calls {

    private Calls() {}

    /** An {@link Action} as a {@link Call} of {@code null}: a record, so it serializes by its component. */
    record OfAction(Action action) implements Call<Void> {
        private static final long serialVersionUID = 1L;

        @Override
        public Void call() throws Exception {
            action.run();
            return null;
        }
    }
}
