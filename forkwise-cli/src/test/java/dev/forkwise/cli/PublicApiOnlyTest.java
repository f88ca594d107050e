package dev.forkwise.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/**
 * The command line is a user of forkwise like any other: it reaches the library through its
 * exported packages only.
 */
class PublicApiOnlyTest {

    @Test
    void theCliUsesOnlyTheExportedPackages() throws Exception {
        Path classes =
                Path.of(Forkwise.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        JavaClasses cli = new ClassFileImporter().importPath(classes);
        noClasses()
                .that()
                .resideInAPackage("dev.forkwise.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.forkwise.engine..",
                        "dev.forkwise.codec..",
                        "dev.forkwise.process..",
                        "dev.forkwise.threads..",
                        "dev.forkwise.advisor..")
                .because("only dev.forkwise and dev.forkwise.ipc are forkwise's public API")
                .check(cli);
    }
}
