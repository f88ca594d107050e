package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Bad input gets a clear error at the call, and nothing is submitted. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BadInputTest {

    private Pool pool;

    @BeforeEach
    void open() {
        pool = Pool.threads(2);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void poolSizesBelowOneAreRejectedWithTheValueAndAHint(int size) {
        assertThatThrownBy(() -> Pool.threads(size))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("workers must be at least 1, was " + size)
                .hasMessageContaining("one per core");
        assertThatThrownBy(() -> Pool.virtualThreads(size))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConcurrent must be at least 1, was " + size)
                .hasMessageContaining("Pool.virtualThreads()");
    }

    @Test
    void nullTasksAreRejectedAtSubmit() {
        assertThatThrownBy(() -> pool.submit((Call<Object>) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("task must not be null");
        assertThatThrownBy(() -> pool.submit((Callable<Object>) null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.submit((Runnable) null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.execute(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.map(null, List.of(1)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("fn must not be null");
        assertThatThrownBy(() -> pool.map((Integer x) -> x, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("inputs must not be null");
        assertThatThrownBy(() -> pool.imap(null, List.of(1)))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.applyAsync(null, 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.invokeAll(Arrays.asList((Call<Integer>) () -> 1, null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("tasks element #1 is null");
    }

    @Test
    void aNullInputElementIsRejectedAtTheCallNamingItsIndexAndNothingRuns() {
        String d = System.getProperty("java.io.tmpdir");
        List<Integer> inputs = Arrays.asList(1, 2, null, 4);
        assertThatThrownBy(
                        () ->
                                pool.map(
                                        (Integer x) -> {
                                            throw new AssertionError(
                                                    "no task may run when an input is null");
                                        },
                                        inputs))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("map input #2 is null")
                .hasMessageContaining("Optional");
        assertThatThrownBy(() -> pool.applyAsync((Integer x) -> x, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("input must not be null");
        assertThatThrownBy(
                        () ->
                                pool.starmap(
                                        (Integer a, Integer b) -> a,
                                        Arrays.asList(Map.entry(1, 2), null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("starmap pair #1");
        assertThat(d).isNotNull();
    }

    @Test
    void aLazyNullInputFailsWhenPulledNamingItsIndex() {
        Stream<Integer> results = pool.imap((Integer x) -> x, Arrays.asList(1, 2, null, 4));
        assertThatThrownBy(results::toList)
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("imap input #2 is null");
    }

    @Test
    void chunkSizesBelowOneAreRejected() {
        assertThatThrownBy(() -> pool.map((Integer x) -> x, List.of(1), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chunkSize must be at least 1, was 0");
        assertThatThrownBy(() -> pool.imap((Integer x) -> x, List.of(1), -3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pool.imapUnordered((Integer x) -> x, List.of(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void poolsHaveUniqueNamesThatSayWhatTheyAre() {
        try (Pool a = Pool.threads(3);
                Pool b = Pool.virtualThreads();
                Pool c = Pool.virtualThreads(5)) {
            assertThat(a.name()).startsWith("threads(3)#");
            assertThat(b.name()).startsWith("virtualThreads()#");
            assertThat(c.name()).startsWith("virtualThreads(5)#");
            assertThat(List.of(a.name(), b.name(), c.name(), pool.name())).doesNotHaveDuplicates();
            assertThat(a.parallelism()).isEqualTo(3);
            assertThat(b.parallelism()).isEqualTo(Integer.MAX_VALUE);
            assertThat(c.parallelism()).isEqualTo(5);
            assertThat(a.toString()).contains(a.name(), "running");
        }
    }
}
