package dev.forkwise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;

/**
 * Programs whose classes do not come from the JVM's class path: an application loaded by a {@link
 * java.net.URLClassLoader} (as under {@code mvn exec:java}, in plugin hosts and application
 * servers), and a source file run by the JDK's source launcher ({@code java Main.java}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LaunchersTest {

    @TempDir Path tmp;

    @AfterEach
    void noWorkerLeft() {
        Workers.killAll();
    }

    private static final String LAUNCHER =
            """
            import java.io.File;
            import java.net.URL;
            import java.net.URLClassLoader;
            import java.util.ArrayList;
            import java.util.List;

            public class Launcher {
                public static void main(String[] args) throws Exception {
                    List<URL> urls = new ArrayList<>();
                    for (String e : args[0].split(File.pathSeparator)) {
                        urls.add(new File(e).toURI().toURL());
                    }
                    URLClassLoader app = new URLClassLoader(
                            urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
                    Thread.currentThread().setContextClassLoader(app);
                    app.loadClass(args[1])
                            .getMethod("main", String[].class)
                            .invoke(null, (Object) new String[0]);
                }
            }
            """;

    @Test
    void tasksRunWhenTheApplicationComesFromAUrlClassLoaderTheClassPathDoesNotName()
            throws Exception {
        Path src = Files.writeString(tmp.resolve("Launcher.java"), LAUNCHER);
        Path out = Files.createDirectories(tmp.resolve("launcher"));
        StringWriter log = new StringWriter();
        int rc =
                ToolProvider.findFirst("javac")
                        .orElseThrow()
                        .run(
                                new PrintWriter(log),
                                new PrintWriter(log),
                                "-d",
                                out.toString(),
                                src.toString());
        assertThat(rc).as(log.toString()).isZero();

        // the JVM's class path holds the launcher alone: forkwise and the application are the
        // loader's
        Jvms.Run run =
                Jvms.run(
                        Jvms.command(
                                out.toString(),
                                List.of("-Dforkwise.aot=off"),
                                "Launcher",
                                Jvms.classPath(),
                                "dev.forkwise.launch.LoadedApp"),
                        Duration.ofSeconds(90));
        assertThat(run.output()).contains("pool: [2, 4, 6]").contains("child: 42");
        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    private static final String SOURCE_FILE =
            """
            import dev.forkwise.ChildProcess;
            import dev.forkwise.Pool;
            import dev.forkwise.ipc.SharedQueue;
            import java.util.List;

            public class Main {
                static int square(int x) {
                    return x * x;
                }

                public static void main(String[] args) throws Exception {
                    try (Pool pool = Pool.processes(1)) {
                        System.out.println(pool.map(Main::square, List.of(1, 2, 3)));
                    } catch (RuntimeException e) {
                        System.out.println("map: " + e.getMessage());
                    }
                    // the Python guides' Process + Queue pattern: this hung, printing nothing
                    try (SharedQueue<String> q = SharedQueue.create(4)) {
                        ChildProcess.run(() -> q.put("hello from the child"));
                        System.out.println(q.take());
                    }
                }
            }
            """;

    @Test
    void underTheSourceLauncherASubmitFailsAtOnceSayingWhyAndWhatToDo() throws Exception {
        Path main = Files.writeString(tmp.resolve("Main.java"), SOURCE_FILE);
        Jvms.Run run =
                Jvms.run(
                        List.of(
                                Jvms.java(),
                                "-Dforkwise.aot=off",
                                "-cp",
                                Jvms.mainClasses().toString(),
                                main.toString()),
                        Duration.ofSeconds(60));
        String why = "was compiled in memory by the JDK's source launcher";
        assertThat(run.output())
                .contains("map: map input")
                .contains("the task's class Main " + why)
                .contains("javac -cp <forkwise-core.jar> -d classes Main.java")
                .contains("NotTransferableException: the call in child process")
                .doesNotContain("ClassNotFoundException");
        assertThat(run.output().split(why, -1))
                .as("both the map and the child process say why")
                .hasSize(3);
        assertThat(run.exitCode()).isEqualTo(1);
    }
}
