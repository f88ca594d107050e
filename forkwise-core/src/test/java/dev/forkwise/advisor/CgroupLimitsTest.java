package dev.forkwise.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * cgroup v1 and v2 limits, read from fixture trees shaped like real {@code /sys/fs/cgroup} mounts.
 */
class CgroupLimitsTest {

    private static final Path FIXTURES =
            Path.of("src", "test", "resources", "dev", "forkwise", "advisor", "cgroup");

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // case,             version, cores, memory bytes (-1: none)
        "v2-quota,            2,      1.5,   536870912",
        "v2-none,             2,      -1,    -1",
        "v2-parent-tighter,   2,      1.0,   1073741824",
        "v2-namespaced,       2,      2.5,   -1",
        "v1-quota,            1,      0.5,   268435456",
        "v1-none,             1,      -1,    -1",
        "none,                0,      -1,    -1",
    })
    void readsQuotaAndMemoryLimit(String fixture, int version, double cores, long memory)
            throws Exception {
        Path dir = FIXTURES.resolve(fixture);
        CgroupLimits l =
                CgroupLimits.read(dir.resolve("fs"), Files.readString(dir.resolve("self-cgroup")));
        assertThat(l.version()).isEqualTo(version);
        assertThat(l.cpuQuota())
                .isEqualTo(cores < 0 ? OptionalDouble.empty() : OptionalDouble.of(cores));
        assertThat(l.memoryLimit())
                .isEqualTo(memory < 0 ? OptionalLong.empty() : OptionalLong.of(memory));
        assertThat(l.toString()).contains(version == 0 ? "no cgroup" : "cgroup v" + version);
    }

    @Test
    void findsTheGroupOfEachController() {
        String v1 =
                "12:pids:/docker/p\n"
                    + "4:cpu,cpuacct:/docker/x\n"
                    + "9:memory:/docker/y\n"
                    + "1:name=systemd:/s\n";
        assertThat(CgroupLimits.groupPath(v1, "cpu")).isEqualTo("/docker/x");
        assertThat(CgroupLimits.groupPath(v1, "memory")).isEqualTo("/docker/y");
        assertThat(CgroupLimits.groupPath(v1, null)).as("no v2 line").isEqualTo("/");
        assertThat(CgroupLimits.groupPath("0::/a/b\n", null)).isEqualTo("/a/b");
        assertThat(CgroupLimits.groupPath("", "cpu")).isEqualTo("/");
    }
}
