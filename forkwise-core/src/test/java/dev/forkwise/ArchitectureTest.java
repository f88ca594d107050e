package dev.forkwise;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The package graph of forkwise-core, read from its class files: the codec and the engine know no
 * backend, the IPC primitives do not use the process backend, the backends do not use one another,
 * the shared-memory helpers use nothing of forkwise, and the packages below the API form no cycle.
 * (The API package makes the implementations, as {@code Executors} does: that one direction is
 * allowed.)
 */
class ArchitectureTest {

    private static final String[] BACKENDS = {
        "dev.forkwise.process..", "dev.forkwise.threads..", "dev.forkwise.advisor.."
    };

    private static JavaClasses core;

    @BeforeAll
    static void importCore() throws URISyntaxException {
        Path classes =
                Path.of(Pool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        core = new ClassFileImporter().importPath(classes);
    }

    static Stream<ArchRule> rules() {
        return Stream.of(
                noClasses()
                        .that()
                        .resideInAPackage("dev.forkwise.codec..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(
                                concat(BACKENDS, "dev.forkwise.engine..", "dev.forkwise.ipc.."))
                        .because(
                                "the codec is how values cross a boundary, for every backend and"
                                    + " the IPC primitives"),
                noClasses()
                        .that()
                        .resideInAPackage("dev.forkwise.ipc..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(concat(BACKENDS, "dev.forkwise.engine.."))
                        .because("the IPC primitives work in any process, with or without a pool"),
                noClasses()
                        .that()
                        .resideInAPackage("dev.forkwise.engine..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(concat(BACKENDS, "dev.forkwise.ipc.."))
                        .because("the engine runs over any backend and holds no wire format"),
                noClasses()
                        .that()
                        .resideInAPackage("dev.forkwise.process..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage("dev.forkwise.threads..", "dev.forkwise.advisor..")
                        .because("backends do not use one another"),
                noClasses()
                        .that()
                        .resideInAPackage("dev.forkwise.threads..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage("dev.forkwise.process..", "dev.forkwise.advisor..")
                        .because("backends do not use one another"),
                noClasses()
                        .that()
                        .resideInAPackage("dev.forkwise.advisor..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage("dev.forkwise.process..", "dev.forkwise.threads..")
                        .because(
                                "backends do not use one another: the automatic pool is given its"
                                    + " worker-JVM lane"),
                noClasses()
                        .that()
                        .resideInAPackage("dev.forkwise.shm..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage("dev.forkwise")
                        .orShould()
                        .dependOnClassesThat()
                        .resideInAnyPackage(
                                concat(
                                        BACKENDS,
                                        "dev.forkwise.engine..",
                                        "dev.forkwise.ipc..",
                                        "dev.forkwise.codec.."))
                        .because("the shared-memory helpers are the bottom layer"),
                slices().matching("dev.forkwise.(*)..")
                        .should()
                        .beFreeOfCycles()
                        .because("below the API, packages form layers"));
    }

    @ParameterizedTest
    @MethodSource("rules")
    void holds(ArchRule rule) {
        rule.check(core);
    }

    @Test
    void theImportSawEveryPackage() {
        List<String> packages =
                core.stream().map(c -> c.getPackageName()).distinct().sorted().toList();
        assertThat(packages)
                .contains(
                        "dev.forkwise",
                        "dev.forkwise.codec",
                        "dev.forkwise.engine",
                        "dev.forkwise.ipc",
                        "dev.forkwise.process",
                        "dev.forkwise.threads",
                        "dev.forkwise.advisor",
                        "dev.forkwise.shm");
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }
}
