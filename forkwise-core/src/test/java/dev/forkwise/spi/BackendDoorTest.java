package dev.forkwise.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forkwise.Pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;

/**
 * The backend SPI is a door for forkwise's own modules only: a module named {@code
 * dev.forkwise.cluster} compiles a backend against forkwise-core's module, any other module is told
 * the SPI's packages are not visible to it.
 */
class BackendDoorTest {

    private static final String BACKEND =
            """
            package %s;

            import dev.forkwise.Pool;
            import dev.forkwise.codec.Codec;
            import dev.forkwise.engine.Backend;
            import dev.forkwise.engine.PoolEngine;
            import dev.forkwise.engine.Tasks;

            public abstract class Remote implements Backend {
                protected final Codec codec =
                        new Codec(null, Remote.class.getClassLoader(), Tasks.FACTORY);

                public Pool pool() {
                    return new PoolEngine(this);
                }
            }
            """;

    @TempDir Path tmp;

    @Test
    void theClusterModuleMayImplementABackend() throws Exception {
        assertThat(compile("dev.forkwise.cluster")).isEmpty();
    }

    @Test
    void anyOtherModuleMayNot() throws Exception {
        assertThat(compile("com.example.elsewhere"))
                .contains(
                        "package dev.forkwise.engine is declared in module dev.forkwise, which does"
                            + " not export it to module com.example.elsewhere")
                .contains(
                        "package dev.forkwise.codec is declared in module dev.forkwise, which does"
                            + " not export it to module com.example.elsewhere");
    }

    /**
     * Compiles a one-class module of that name against forkwise-core; returns javac's errors, or ""
     * if it compiled.
     */
    private String compile(String module) throws Exception {
        Path src = tmp.resolve(module + "-src");
        Path pkg = src.resolve(module.replace('.', '/'));
        Files.createDirectories(pkg);
        Files.writeString(
                src.resolve("module-info.java"),
                "module " + module + " { requires dev.forkwise; }\n");
        Files.writeString(pkg.resolve("Remote.java"), BACKEND.formatted(module));
        Path core = Path.of(Pool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "-d",
                                tmp.resolve(module + "-out").toString(),
                                "--module-path",
                                core.toString(),
                                src.resolve("module-info.java").toString(),
                                pkg.resolve("Remote.java").toString()));
        StringWriter errors = new StringWriter();
        int rc;
        try (PrintWriter w = new PrintWriter(errors)) {
            rc =
                    ToolProvider.findFirst("javac")
                            .orElseThrow()
                            .run(w, w, args.toArray(String[]::new));
        }
        return rc == 0 ? "" : errors.toString();
    }
}
