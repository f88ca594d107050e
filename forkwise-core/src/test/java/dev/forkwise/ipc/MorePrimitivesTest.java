package dev.forkwise.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forkwise.CloseAfter;
import dev.forkwise.OpenPools;
import dev.forkwise.Pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Python's {@code Value('i')}, {@code Value('d')}, {@code Array('i', [...])}, {@code
 * BoundedSemaphore} and {@code Pipe(duplex=False)}, in this JVM and across worker JVMs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MorePrimitivesTest {

    @RegisterExtension final CloseAfter closing = new CloseAfter();
    @RegisterExtension final OpenPools open = new OpenPools();

    private <T extends AutoCloseable> T shared(T t) {
        return closing.add(t);
    }

    @Test
    void sharedIntAndDoubleAreAtomicAcrossWorkerJvms() throws Exception {
        SharedInt count = shared(SharedInt.create(0));
        SharedDouble total = shared(SharedDouble.create(0.0));
        Pool pool = open.add(Pool.processes(2));
        List<Integer> inputs = IntStream.range(0, 2_000).boxed().toList();
        pool.map(
                (Integer i) -> {
                    count.incrementAndGet();
                    total.addAndGet(0.5);
                    return null;
                },
                inputs,
                50);
        assertThat(count.get()).isEqualTo(2_000);
        assertThat(total.get()).isEqualTo(1_000.0);
        assertThat(count.updateAndGet(v -> v * 2)).isEqualTo(4_000);
        assertThat(count.compareAndSet(4_000, 7)).isTrue();
        assertThat(count.getAndSet(8)).isEqualTo(7);
        assertThat(total.updateAndGet(v -> v / 4)).isEqualTo(250.0);
        assertThat(total.compareAndSet(250.0, Double.NaN)).isTrue();
        assertThat(total.compareAndSet(Double.NaN, -0.0))
                .as("bit patterns: NaN equals NaN")
                .isTrue();
        assertThat(total.compareAndSet(0.0, 1.0)).as("0.0 is not -0.0").isFalse();
        try (SharedLong l = SharedLong.create(5)) {
            assertThat(l.updateAndGet(v -> v * v)).isEqualTo(25);
        }
    }

    @Test
    void arraysMadeFromValuesHoldThem() {
        SharedArray.Ints ints = shared(SharedArray.ofInts(1, 2, 3));
        SharedArray.Longs longs = shared(SharedArray.ofLongs(4L, 5L));
        SharedArray.Doubles doubles = shared(SharedArray.ofDoubles(0.5, 1.5, 2.5, 3.5));
        assertThat(ints.toArray()).containsExactly(1, 2, 3);
        assertThat(longs.length()).isEqualTo(2);
        assertThat(longs.get(1)).isEqualTo(5L);
        assertThat(doubles.toArray()).containsExactly(0.5, 1.5, 2.5, 3.5);
        assertThat(shared(SharedArray.ofInts()).length()).isZero();
    }

    @Test
    void aBoundedSemaphoreRefusesAReleaseWithoutItsAcquire() throws Exception {
        SharedSemaphore s = shared(SharedSemaphore.createBounded(2));
        assertThatThrownBy(s::release)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bounded to 2 permits");
        assertThat(s.tryAcquire()).isTrue();
        s.release();
        assertThat(s.availablePermits()).isEqualTo(2);
        assertThatThrownBy(() -> SharedSemaphore.createBounded(0))
                .isInstanceOf(IllegalArgumentException.class);
        // across processes: a worker's release past the bound fails in the worker
        Pool pool = open.add(Pool.processes(1));
        assertThatThrownBy(() -> pool.run(s::release).get(60, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no acquire to match");
    }

    @Test
    void aOneWayPipeReceivesOnAAndSendsOnB() throws Exception {
        Pipe pipe = shared(Pipe.oneWay());
        assertThat(pipe.isOneWay()).isTrue();
        Pipe.End in = pipe.a();
        Pipe.End out = pipe.b();
        assertThatThrownBy(() -> in.send("x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only receives");
        assertThatThrownBy(out::recv)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only sends");
        Pool pool = open.add(Pool.processes(1));
        pool.run(() -> out.send("from a worker")).get(60, TimeUnit.SECONDS);
        assertThat((String) in.recv()).isEqualTo("from a worker");
        assertThat(shared(Pipe.open()).isOneWay()).isFalse();
    }
}
