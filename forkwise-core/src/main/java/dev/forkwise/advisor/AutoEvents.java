package dev.forkwise.advisor;

import dev.forkwise.AutoPool;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The JFR event of an automatic pool's decision. */
final class AutoEvents {

    private AutoEvents() {}

    static void decided(String pool, AutoPool.Decision d) {
        Decided e = new Decided();
        if (e.isEnabled()) {
            e.pool = pool;
            e.kind = d.kind().name();
            e.backend = d.backend().name();
            e.size = d.size();
            e.tasks = d.tasks();
            e.reasons = String.join(" ", d.reasons());
            e.commit();
        }
    }

    @Name("dev.forkwise.AutoDecision")
    @Label("Automatic Pool Decision")
    @Category({"forkwise", "Advisor"})
    @Description("An automatic pool chose where its tasks run, and why")
    @StackTrace(false)
    static final class Decided extends Event {
        @Label("Pool")
        String pool;

        @Label("Kind of Work")
        String kind;

        @Label("Backend")
        String backend;

        @Label("Size")
        int size;

        @Label("Tasks Measured")
        long tasks;

        @Label("Reasons")
        String reasons;
    }
}
