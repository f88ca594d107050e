package dev.forkwise.readme;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The README's quick start is this package's QuickStart, and it runs. */
class ReadmeTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path SOURCE =
            Path.of("src", "test", "java", "dev", "forkwise", "readme", "QuickStart.java");

    @Test
    void theReadmeQuickStartIsTheCompiledOne() throws Exception {
        String readme = Files.readString(README);
        Matcher m =
                Pattern.compile("<!-- quick-start -->\\s*```java\\n(.*?)```", Pattern.DOTALL)
                        .matcher(readme);
        assertThat(m.find()).as("README has a ```java block after <!-- quick-start -->").isTrue();
        String source = Files.readString(SOURCE);
        String marker = "(ReadmeTest keeps the two the same).\n";
        String compiled = source.substring(source.indexOf(marker) + marker.length());
        assertThat(m.group(1).strip()).isEqualTo(compiled.strip());
    }

    @Test
    void theQuickStartRunsAndPrintsItsResults() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            QuickStart.main(new String[0]);
        } finally {
            System.setOut(saved);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        assertThat(out)
                .contains("[285, 332833500, 333332833333500000] 2666664666667000000")
                .contains("https://a.example -> 200 OK")
                .contains("https://b.example -> 200 OK");
    }

    @Test
    void theReadmeHasExactlyTwoSetUpCommandsAndCiRunsTheTestOne() throws Exception {
        String readme = Files.readString(README);
        Matcher m =
                Pattern.compile("<!-- set-up -->\\s*```sh\\n(.*?)```", Pattern.DOTALL)
                        .matcher(readme);
        assertThat(m.find()).isTrue();
        assertThat(
                        m.group(1)
                                .strip()
                                .lines()
                                .map(l -> l.replaceAll("\\s+#.*", "").strip())
                                .toList())
                .containsExactly("./forkwise lab", "mvn verify");
        // CI runs that same test command, after installing what the tests need when it is
        // missing (Debian packages, guarded by `command -v`), and nothing else
        String ci = Files.readString(Path.of("..", ".ci", "run"));
        List<String> commands =
                ci.lines()
                        .map(String::strip)
                        .filter(
                                l ->
                                        !l.isBlank()
                                                && !l.startsWith("#")
                                                && !l.startsWith("set ")
                                                && !l.startsWith("cd "))
                        .toList();
        assertThat(commands.getLast()).isEqualTo("mvn verify");
        assertThat(commands.subList(0, commands.size() - 1))
                .allSatisfy(
                        l ->
                                assertThat(l)
                                        .matches(
                                                "if ! command -v \\S+ >/dev/null 2>&1; then"
                                                        + "|export DEBIAN_FRONTEND=noninteractive"
                                                        + "|apt-get (update|install) .*"
                                                        + "|fi"));
    }
}
