package dev.forkwise;

/**
 * A pool as JMX shows it: {@code dev.forkwise:type=Pool,name=<the pool's name>}, registered in the
 * platform MBean server while the pool is open (it goes once the pool has terminated), with the
 * figures of {@link Pool#stats()}. JConsole and JDK Mission Control show it under {@code
 * dev.forkwise}.
 */
public interface PoolMXBean {

    /**
     * @return the pool's name, for example {@code processes(4)#2}
     */
    String getName();

    /**
     * @return how many tasks may run at once
     */
    int getParallelism();

    /**
     * @return tasks handed to the pool
     */
    long getSubmitted();

    /**
     * @return tasks waiting for a thread or a worker
     */
    long getQueued();

    /**
     * @return tasks running now
     */
    long getRunning();

    /**
     * @return tasks that returned
     */
    long getCompleted();

    /**
     * @return tasks that threw
     */
    long getFailed();

    /**
     * @return tasks cancelled
     */
    long getCancelled();

    /**
     * @return tasks whose worker JVM died under them
     */
    long getCrashed();

    /**
     * @return tasks stopped at their time limit
     */
    long getTimedOut();

    /**
     * @return worker JVMs alive now
     */
    int getWorkersAlive();

    /**
     * @return worker JVMs started to replace others
     */
    long getWorkersRestarted();

    /**
     * @return whether the pool was shut down
     */
    boolean isShutdown();
}
