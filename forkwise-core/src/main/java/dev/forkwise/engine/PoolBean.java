package dev.forkwise.engine;

import dev.forkwise.Pool;
import dev.forkwise.PoolMXBean;

import java.lang.management.ManagementFactory;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A pool's MBean ({@link PoolMXBean}): registered when the pool is made, unregistered once it has
 * terminated (noticed by {@code close}, {@code awaitTermination}, {@code isTerminated} and by the
 * bean's own reads). Registration never fails a pool: without JMX (a platform that has none, a name
 * already taken) the pool simply has no bean.
 */
final class PoolBean implements PoolMXBean {

    private final PoolEngine pool;
    private final ObjectName name;
    private volatile boolean registered;

    private PoolBean(PoolEngine pool, ObjectName name) {
        this.pool = pool;
        this.name = name;
    }

    /** Registers a bean for {@code pool}; returns it, or null if JMX would not take it. */
    static PoolBean register(PoolEngine pool) {
        try {
            ObjectName name = new ObjectName("dev.forkwise:type=Pool,name=" + safe(pool.name()));
            PoolBean bean = new PoolBean(pool, name);
            ManagementFactory.getPlatformMBeanServer().registerMBean(bean, name);
            bean.registered = true;
            return bean;
        } catch (JMException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static String safe(String s) {
        return s.matches("[^,=:*?\"\\n]*") ? s : ObjectName.quote(s);
    }

    /** Unregisters the bean if the pool has terminated. */
    void unregisterIfTerminated() {
        if (registered && pool.backendTerminated()) {
            registered = false;
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            try {
                server.unregisterMBean(name);
            } catch (InstanceNotFoundException e) {
                // already gone
            } catch (JMException e) {
                // nothing more to do
            }
        }
    }

    private Pool.Stats stats() {
        Pool.Stats s = pool.stats();
        unregisterIfTerminated();
        return s;
    }

    @Override
    public String getName() {
        return pool.name();
    }

    @Override
    public int getParallelism() {
        return pool.parallelism();
    }

    @Override
    public long getSubmitted() {
        return stats().submitted();
    }

    @Override
    public long getQueued() {
        return stats().queued();
    }

    @Override
    public long getRunning() {
        return stats().running();
    }

    @Override
    public long getCompleted() {
        return stats().completed();
    }

    @Override
    public long getFailed() {
        return stats().failed();
    }

    @Override
    public long getCancelled() {
        return stats().cancelled();
    }

    @Override
    public long getCrashed() {
        return stats().crashed();
    }

    @Override
    public long getTimedOut() {
        return stats().timedOut();
    }

    @Override
    public int getWorkersAlive() {
        return stats().workersAlive();
    }

    @Override
    public long getWorkersRestarted() {
        return stats().workersRestarted();
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }
}
