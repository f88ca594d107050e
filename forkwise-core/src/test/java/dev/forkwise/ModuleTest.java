package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** forkwise-core exports only its public face (pools and IPC) and needs nothing outside the JDK. */
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
        assertThat(d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
                .isEqualTo(Set.of("dev.forkwise", "dev.forkwise.ipc"));
        assertThat(d.requires())
                .allSatisfy(r -> assertThat(r.name()).matches("(java|jdk)\\..+"));
    }
}
