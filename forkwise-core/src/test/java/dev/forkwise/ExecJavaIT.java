package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A user's own Maven project that depends on forkwise-core by its coordinates, from a repository
 * (this build's jar and POMs deployed to a file repository first, as a release would put them on a
 * server), run with {@code mvn exec:java} and tested with {@code mvn test} (Surefire). Under {@code
 * exec:java} Maven runs the program in its own JVM, whose class path is Maven's launcher alone,
 * with the project's classes and forkwise in a class loader of the exec plugin's. Workers used to
 * die with {@code ClassNotFoundException: dev.forkwise.process.WorkerMain} there.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ExecJavaIT {

    @TempDir Path tmp;

    private static final String POM =
            """
            <project xmlns="http://maven.apache.org/POM/4.0.0">
              <modelVersion>4.0.0</modelVersion>
              <groupId>example</groupId>
              <artifactId>app</artifactId>
              <version>1</version>
              <properties>
                <maven.compiler.release>25</maven.compiler.release>
                <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
              </properties>
              <repositories>
                <repository>
                  <id>forkwise-under-test</id>
                  <url>REPO</url>
                  <snapshots><enabled>true</enabled></snapshots>
                </repository>
              </repositories>
              <dependencies>
                <dependency>
                  <groupId>dev.forkwise</groupId>
                  <artifactId>forkwise-core</artifactId>
                  <version>VERSION</version>
                </dependency>
                <dependency>
                  <groupId>org.junit.jupiter</groupId>
                  <artifactId>junit-jupiter</artifactId>
                  <version>6.1.3</version>
                  <scope>test</scope>
                </dependency>
              </dependencies>
              <build>
                <plugins>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>maven-compiler-plugin</artifactId>
                    <version>3.16.0</version>
                  </plugin>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>maven-surefire-plugin</artifactId>
                    <version>3.6.1</version>
                  </plugin>
                  <plugin>
                    <groupId>org.codehaus.mojo</groupId>
                    <artifactId>exec-maven-plugin</artifactId>
                    <version>3.6.4</version>
                  </plugin>
                </plugins>
              </build>
            </project>
            """;

    private static final String APP =
            """
            package example;

            import dev.forkwise.ChildProcess;
            import dev.forkwise.Pool;
            import java.util.List;

            public class App {
                static int square(int x) {
                    return x * x;
                }

                public static void main(String[] args) throws Exception {
                    try (Pool pool = Pool.processes(2)) {
                        System.out.println("squares " + pool.map(App::square, List.of(1, 2, 3, 4)));
                    }
                    System.out.println("child " + ChildProcess.start(() -> square(9)).result());
                }
            }
            """;

    private static final String APP_TEST =
            """
            package example;

            import dev.forkwise.Pool;
            import java.util.List;
            import org.junit.jupiter.api.Test;

            class AppTest {
                @Test
                void squaresOnWorkerJvms() {
                    try (Pool pool = Pool.processes(2)) {
                        List<Integer> squares = pool.map(App::square, List.of(1, 2, 3));
                        if (!squares.equals(List.of(1, 4, 9))) {
                            throw new AssertionError("got " + squares);
                        }
                        System.out.println("test squares " + squares);
                    }
                }
            }
            """;

    @Test
    void aProgramStartedByMvnExecJavaRunsTasksOnWorkerJvms() throws Exception {
        String version = System.getProperty("forkwise.version");
        assertThat(version).as("forkwise.version, set by failsafe").isNotNull();
        Path jar = Path.of("target").toAbsolutePath().resolve("forkwise-core-" + version + ".jar");
        assertThat(jar).as("the packaged jar (failsafe runs after package)").isRegularFile();
        Path mvn = onPath("mvn");
        assertThat(mvn).as("mvn on the PATH (the tests run under Maven)").isNotNull();
        Path repo = tmp.resolve("repo");
        deploy(mvn, Path.of("..", "pom.xml").toAbsolutePath().normalize(), null);
        deploy(mvn, Path.of("pom.xml").toAbsolutePath(), jar);
        Path app = Files.createDirectories(tmp.resolve("app"));
        Files.writeString(
                app.resolve("pom.xml"),
                POM.replace("VERSION", version).replace("REPO", repo.toUri().toString()));
        Path src = Files.createDirectories(app.resolve("src/main/java/example"));
        Files.writeString(src.resolve("App.java"), APP);
        Path test = Files.createDirectories(app.resolve("src/test/java/example"));
        Files.writeString(test.resolve("AppTest.java"), APP_TEST);

        ProcessBuilder pb =
                new ProcessBuilder(
                                mvn.toString(),
                                "-B",
                                "-q",
                                "compile",
                                "exec:java",
                                "-Dexec.mainClass=example.App",
                                "-Dexec.classpathScope=compile",
                                "-Dforkwise.aot=off")
                        .directory(app.toFile());
        pb.environment()
                .put("JAVA_HOME", System.getProperty("java.home")); // Maven itself on JDK 25
        Jvms.Run run = Jvms.run(pb, Duration.ofSeconds(240));
        assertThat(run.output())
                .contains("squares [1, 4, 9, 16]")
                .contains("child 81")
                .doesNotContain("ClassNotFoundException");
        assertThat(run.exitCode()).as(run.output()).isZero();

        // and the same project's own test, under Surefire
        ProcessBuilder surefire =
                new ProcessBuilder(mvn.toString(), "-B", "test", "-Dforkwise.aot=off")
                        .directory(app.toFile());
        surefire.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Jvms.Run tests = Jvms.run(surefire, Duration.ofSeconds(240));
        assertThat(tests.output())
                .contains("test squares [1, 4, 9]")
                .contains("Tests run: 1, Failures: 0, Errors: 0");
        assertThat(tests.exitCode()).as(tests.output()).isZero();
    }

    /** Deploys a POM (and its jar, if any) to the file repository, as a release would. */
    private void deploy(Path mvn, Path pom, Path jar) throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder(
                                mvn.toString(),
                                "-B",
                                "-q",
                                "deploy:deploy-file",
                                "-Durl=" + tmp.resolve("repo").toUri(),
                                "-DrepositoryId=forkwise-under-test",
                                "-DpomFile=" + pom,
                                "-Dfile=" + (jar == null ? pom : jar))
                        .directory(tmp.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Jvms.Run run = Jvms.run(pb, Duration.ofSeconds(120));
        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
