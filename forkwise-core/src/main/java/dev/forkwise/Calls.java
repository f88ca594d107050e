package dev.forkwise;

import dev.forkwise.codec.Parts;

import java.util.List;
import java.util.Map;

/** The {@link Call}s that forkwise builds around other task types. */
final class Calls {

    private Calls() {}

    /**
     * An {@link Action} as a {@link Call} of {@code null}: a record, so it serializes by its
     * component, and {@link Parts}, so a message about what cannot be sent names the action.
     */
    record OfAction(Action action) implements Call<Void>, Parts {
        private static final long serialVersionUID = 1L;

        @Override
        public Void call() throws Exception {
            action.run();
            return null;
        }

        @Override
        public List<Map.Entry<String, Object>> parts() {
            return List.of(Map.entry("action", action));
        }
    }
}
