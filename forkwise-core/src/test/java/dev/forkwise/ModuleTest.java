package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * forkwise-core exports its public face (pools and IPC) to everyone, the backend SPI and the codec
 * only to forkwise's cluster module, and needs nothing outside the JDK.
 */
class ModuleTest {

    @Test
    void runsOnJdk25OrNewer() {
        assertThat(Runtime.version().feature()).isGreaterThanOrEqualTo(25);
    }

    @Test
    void exportsOnlyThePublicPackagesAndRequiresOnlyJdkModules() {
        Module module = Pool.class.getModule();
        assertThat(module.isNamed()).as("tests run against the named module").isTrue();
        ModuleDescriptor d = module.getDescriptor();
        assertThat(d.name()).isEqualTo("dev.forkwise");
        assertThat(
                        d.exports().stream()
                                .filter(e -> !e.isQualified())
                                .map(ModuleDescriptor.Exports::source)
                                .collect(Collectors.toSet()))
                .isEqualTo(Set.of("dev.forkwise", "dev.forkwise.ipc"));
        assertThat(
                        d.exports().stream()
                                .filter(ModuleDescriptor.Exports::isQualified)
                                .collect(
                                        Collectors.toMap(
                                                ModuleDescriptor.Exports::source,
                                                ModuleDescriptor.Exports::targets)))
                .isEqualTo(
                        Map.of(
                                "dev.forkwise.engine",
                                Set.of("dev.forkwise.cluster"),
                                "dev.forkwise.codec",
                                Set.of("dev.forkwise.cluster")));
        assertThat(d.requires()).allSatisfy(r -> assertThat(r.name()).matches("(java|jdk)\\..+"));
    }
}
