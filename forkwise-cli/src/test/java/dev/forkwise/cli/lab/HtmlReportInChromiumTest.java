package dev.forkwise.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

/**
 * {@code lab --quick --html FILE} writes a report that a real headless Chromium opens: the test
 * takes a screenshot, reads back the DOM after the page's scripts ran, and checks that every chart
 * rendered (an SVG with shapes that have a size on screen) and that no script failed. Skipped, with
 * the package to install named, where Chromium is not installed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HtmlReportInChromiumTest {

    private static Path chromium;

    @TempDir Path tmp;

    @BeforeAll
    static void findChromium() {
        chromium =
                Stream.of(
                                System.getenv("CHROMIUM"),
                                "/usr/bin/chromium",
                                "/usr/bin/chromium-browser")
                        .filter(p -> p != null && Files.isExecutable(Path.of(p)))
                        .map(Path::of)
                        .findFirst()
                        .orElse(null);
        Assumptions.assumeTrue(
                chromium != null,
                "Chromium is not installed, so the HTML report is not opened in a browser: install"
                        + " Debian's package (apt-get install chromium) or set CHROMIUM to a"
                        + " Chromium binary");
    }

    @Test
    void everyChartOfTheReportRendersWithoutScriptErrors() throws Exception {
        Path html = tmp.resolve("report.html");
        Path json = tmp.resolve("report.json");
        StringWriter out = new StringWriter();
        CommandLine cl =
                new CommandLine(
                        new LabCommand(
                                List.of(
                                        new SleepingSquares(Duration.ofMillis(20)),
                                        PoolSizes.waiting(),
                                        new SharedCounter(2_000))));
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("--quick", "--html", html.toString(), "--json", json.toString()))
                .as(out.toString())
                .isZero();
        String page = Files.readString(html);
        assertThat(page).doesNotContain("src=\"http", "href=\"http").contains("echarts");
        int charts = count(page, "class=\"chart\"");
        assertThat(charts).as("one chart per experiment here").isEqualTo(3);

        Chromium.Result dom = Chromium.run(chromium, tmp, "--dump-dom", html.toUri().toString());
        assertThat(dom.exit()).as(dom.stderr()).isZero();
        String after = dom.stdout();
        assertThat(attribute(after, "body", "data-errors")).as("script errors").isEmpty();
        assertThat(attribute(after, "body", "data-charts")).isEqualTo(String.valueOf(charts));
        List<String> divs = chartDivs(after);
        assertThat(divs).hasSize(charts);
        for (String div : divs) {
            assertThat(div).contains("data-rendered=\"true\"").contains("<svg");
            Matcher shapes = Pattern.compile("data-shapes=\"(\\d+)\"").matcher(div);
            assertThat(shapes.find()).as(div.substring(0, Math.min(200, div.length()))).isTrue();
            Matcher points = Pattern.compile("data-points=\"(\\d+)\"").matcher(div);
            assertThat(points.find()).isTrue();
            assertThat(Integer.parseInt(points.group(1))).as("data points").isPositive();
            assertThat(Integer.parseInt(shapes.group(1)))
                    .as("a shape for every point, and the axes")
                    .isGreaterThan(Integer.parseInt(points.group(1)));
        }
        assertThat(dom.stderr()).doesNotContain("Uncaught");

        Path png = tmp.resolve("report.png");
        Chromium.Result shot =
                Chromium.run(
                        chromium,
                        tmp,
                        "--screenshot=" + png,
                        "--window-size=1200,2400",
                        html.toUri().toString());
        assertThat(shot.exit()).as(shot.stderr()).isZero();
        assertThat(shot.stderr()).doesNotContain("Uncaught");
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1200);
        assertThat(colours(image)).as("a page with tables, badges and charts").isGreaterThan(50);
    }

    /** Distinct colours on a grid of the image: a blank or failed page has a handful. */
    private static int colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static String attribute(String html, String tag, String name) {
        Matcher m =
                Pattern.compile("<" + tag + "\\b[^>]*\\b" + name + "=\"([^\"]*)\"").matcher(html);
        return m.find() ? m.group(1) : null;
    }

    /** Each chart's div, from its opening tag to the next chart or the end of its block. */
    private static List<String> chartDivs(String html) {
        List<String> divs = new ArrayList<>();
        Matcher m = Pattern.compile("<div class=\"chart\"").matcher(html);
        List<Integer> starts = new ArrayList<>();
        while (m.find()) {
            starts.add(m.start());
        }
        for (int i = 0; i < starts.size(); i++) {
            int end =
                    i + 1 < starts.size()
                            ? starts.get(i + 1)
                            : html.indexOf("</section>", starts.get(i));
            divs.add(html.substring(starts.get(i), end));
        }
        return divs;
    }

    /** Runs headless Chromium once, with a profile of its own, and kills what it leaves. */
    static final class Chromium {

        record Result(int exit, String stdout, String stderr) {}

        static Result run(Path chromium, Path tmp, String... args)
                throws IOException, InterruptedException {
            Path profile = Files.createTempDirectory(tmp, "profile");
            List<String> cmd =
                    new ArrayList<>(
                            List.of(
                                    chromium.toString(),
                                    "--headless",
                                    "--no-sandbox",
                                    "--disable-gpu",
                                    "--disable-dev-shm-usage",
                                    "--no-first-run",
                                    "--enable-logging=stderr",
                                    "--v=0",
                                    "--user-data-dir=" + profile,
                                    "--virtual-time-budget=5000"));
            cmd.addAll(List.of(args));
            Path stdout = tmp.resolve("chromium-" + System.nanoTime() + ".out");
            Path stderr = tmp.resolve("chromium-" + System.nanoTime() + ".err");
            Process p =
                    new ProcessBuilder(cmd)
                            .redirectOutput(stdout.toFile())
                            .redirectError(stderr.toFile())
                            .start();
            try {
                if (!p.waitFor(90, TimeUnit.SECONDS)) {
                    throw new AssertionError("Chromium did not finish in 90 s: " + cmd);
                }
                return new Result(
                        p.exitValue(),
                        Files.readString(stdout, StandardCharsets.UTF_8),
                        Files.readString(stderr, StandardCharsets.UTF_8));
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
