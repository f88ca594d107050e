package dev.forkwise.cli;

import dev.forkwise.Advisor;
import dev.forkwise.Fn;

import java.util.Collections;
import java.util.List;

/**
 * A user's workload for {@code forkwise advise}: each task sleeps 5 ms, as a remote call would
 * wait.
 */
public class SleepyWorkload implements Advisor.Workload<Integer, Integer> {

    static Integer nap(Integer ms) throws InterruptedException {
        Thread.sleep(ms);
        return ms;
    }

    @Override
    public Fn<Integer, Integer> task() {
        return SleepyWorkload::nap;
    }

    @Override
    public List<Integer> samples() {
        return Collections.nCopies(10, 5);
    }
}
