package dev.forkwise.cli.lab;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The lab's HTML report: one self-contained file (no network needed to open it) with every
 * experiment's claim, verdict, table, findings and charts.
 *
 * <p>The charts are drawn by Apache ECharts (its "common" build, from the {@code
 * org.webjars.npm:echarts} jar), inlined into the page with each chart's data as JSON, rendered as
 * SVG. After drawing, the page marks each chart it drew ({@code data-rendered="true"} when the
 * chart's SVG has shapes with a size on screen) and records any script error in the body's {@code
 * data-errors}: what a browser test reads back.
 */
final class HtmlReport {

    static final String ECHARTS =
            "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.common.min.js";

    private HtmlReport() {}

    /**
     * Renders the report.
     *
     * @param run the lab run
     * @return the page
     */
    static String render(LabRun run) throws IOException {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append(
                        "<meta name=\"viewport\" content=\"width=device-width,"
                                + " initial-scale=1\">\n")
                .append("<title>forkwise lab — ")
                .append(esc(run.machine()))
                .append("</title>\n<style>\n")
                .append(CSS)
                .append("</style>\n<script>\n")
                .append(ERRORS)
                .append(
                        "</script>\n"
                                + "</head>\n"
                                + "<body data-errors=\"\">\n"
                                + "<header>\n"
                                + "<h1>forkwise lab</h1>\n")
                .append("<p class=\"machine\">forkwise ")
                .append(esc(run.version()))
                .append(" · ")
                .append(esc(run.machine()))
                .append(" · ")
                .append(esc(run.started().toString()))
                .append("</p>\n<p>The Python guides' claims about threads and processes, measured")
                .append(" in Java on this machine. Each verdict is computed from the numbers in")
                .append(" its table.</p>\n</header>\n");
        summary(h, run);
        List<Map<String, Object>> charts = new ArrayList<>();
        for (LabCommand.Outcome o : run.outcomes()) {
            experiment(h, o.id(), o.report(), charts);
        }
        h.append("<script type=\"application/json\" id=\"charts\">")
                .append(JSON.std.asString(charts).replace("</", "<\\/"))
                .append("</script>\n<script>\n")
                .append(echarts())
                .append("\n</script>\n<script>\n")
                .append(DRAW)
                .append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void summary(StringBuilder h, LabRun run) {
        h.append("<section class=\"summary\">\n<h2>Verdicts</h2>\n<table>\n<thead><tr>")
                .append(
                        "<th>experiment</th><th>verdict</th><th>what it"
                                + " measures</th></tr></thead>\n"
                                + "<tbody>\n");
        for (LabCommand.Outcome o : run.outcomes()) {
            Verdict v = o.report().verdict();
            h.append("<tr><td><a href=\"#")
                    .append(esc(o.id()))
                    .append("\">")
                    .append(esc(o.id()))
                    .append("</a></td><td>");
            if (v != null) {
                badge(h, v);
            }
            h.append("</td><td class=\"what\">")
                    .append(esc(o.report().title()))
                    .append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n</section>\n");
    }

    private static void badge(StringBuilder h, Verdict v) {
        h.append("<span class=\"badge ")
                .append(v.outcome().name().toLowerCase(Locale.ROOT))
                .append("\">")
                .append(esc(v.outcome().words()))
                .append("</span>");
    }

    private static void experiment(
            StringBuilder h, String id, Report r, List<Map<String, Object>> charts) {
        h.append("<section class=\"experiment\" id=\"")
                .append(esc(id))
                .append("\">\n<h2>")
                .append(esc(r.title()))
                .append("</h2>\n<blockquote>")
                .append(esc(r.claim()))
                .append("</blockquote>\n");
        if (r.verdict() != null) {
            h.append("<p class=\"verdict\">");
            badge(h, r.verdict());
            h.append(" ").append(esc(r.verdict().sentence())).append("</p>\n");
        }
        h.append("<table>\n<thead><tr>");
        for (String c : r.header()) {
            h.append("<th>").append(esc(c)).append("</th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : r.rows()) {
            h.append("<tr>");
            for (String c : row) {
                h.append("<td>").append(esc(c)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n");
        if (!r.charts().isEmpty()) {
            h.append("<div class=\"charts\">\n");
            for (Chart c : r.charts()) {
                h.append("<div class=\"chart\" id=\"chart-")
                        .append(charts.size())
                        .append("\" data-rendered=\"false\"></div>\n");
                charts.add(LabRun.chart(c));
            }
            h.append("</div>\n");
        }
        if (!r.findings().isEmpty()) {
            h.append("<ul class=\"findings\">\n");
            for (String f : r.findings()) {
                h.append("<li>").append(esc(f)).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        h.append("</section>\n");
    }

    private static String echarts() {
        try (InputStream in = HtmlReport.class.getResourceAsStream(ECHARTS)) {
            if (in == null) {
                throw new IllegalStateException(
                        ECHARTS + " is missing from the class path (org.webjars.npm:echarts)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("</script", "<\\/script");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Escapes text for HTML element content and attribute values. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final String ERRORS =
            """
            window.addEventListener('error', function (e) {
              var b = document.body;
              var msg = (e && e.message) ? e.message : String(e);
              if (b) {
                b.dataset.errors = (b.dataset.errors ? b.dataset.errors + ' | ' : '') + msg;
              }
            });
            """;

    private static final String DRAW =
            """
            (function () {
              var specs = JSON.parse(document.getElementById('charts').textContent);
              specs.forEach(function (spec, i) {
                var el = document.getElementById('chart-' + i);
                var chart = echarts.init(el, null, { renderer: 'svg' });
                var line = spec.type !== 'BAR';
                var longest = spec.categories.reduce(function (m, c) {
                  return Math.max(m, c.length);
                }, 0);
                var tilt = spec.categories.length > 4 || longest * spec.categories.length > 48;
                var option = {
                  animation: false,
                  title: { text: spec.title, left: 'center', textStyle: { fontSize: 14 } },
                  tooltip: { trigger: line ? 'item' : 'axis' },
                  legend: { bottom: 0, type: 'scroll' },
                  grid: { left: 64, right: 24, top: 48, bottom: tilt ? 96 : 72 },
                  xAxis: line
                    ? { type: spec.type === 'LOG_LINE' ? 'log' : 'value', name: spec.xAxis,
                        nameLocation: 'middle', nameGap: 28, scale: true }
                    : { type: 'category', data: spec.categories,
                        axisLabel: { interval: 0, rotate: tilt ? 18 : 0, width: tilt ? 120 : 160,
                                     overflow: 'truncate', hideOverlap: false } },
                  yAxis: { type: 'value', name: spec.yAxis, nameLocation: 'middle', nameGap: 48 },
                  series: spec.series.map(function (s) {
                    return line
                      ? { name: s.name, type: 'line', symbolSize: 7,
                          data: s.x.map(function (x, k) { return [x, s.y[k]]; }) }
                      : { name: s.name, type: 'bar', data: s.y };
                  })
                };
                chart.setOption(option);
                var svg = el.querySelector('svg');
                var shapes = svg ? svg.querySelectorAll('path, rect') : [];
                var drawn = 0;
                shapes.forEach(function (p) {
                  var r = p.getBoundingClientRect();
                  if (r.width > 0 || r.height > 0) { drawn++; }
                });
                var points = option.series.reduce(function (n, s) { return n + s.data.length; }, 0);
                // every bar and every line's point is a shape of its own, besides the axes
                el.dataset.rendered = String(points > 0 && drawn > points);
                el.dataset.shapes = String(drawn);
                el.dataset.points = String(points);
              });
              document.body.dataset.charts = String(specs.length);
            })();
            """;

    private static final String CSS =
            """
            :root { --fg: #1d2330; --muted: #5b6475; --line: #dfe3ea; --bg: #fafbfc; }
            body { font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif;
                   color: var(--fg);
                   background: var(--bg); margin: 0 auto; max-width: 1100px; padding: 24px; }
            h1 { margin: 0 0 4px; } h2 { font-size: 19px; margin: 0 0 8px; }
            .machine { color: var(--muted); margin: 0 0 8px; }
            section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
                      padding: 18px 20px; margin: 18px 0; }
            blockquote { margin: 0 0 10px; padding: 6px 12px; border-left: 3px solid #9aa5b8;
                         color: var(--muted); font-style: italic; }
            table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
            th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            td:not(:first-child) { white-space: nowrap; }
            th { font-weight: 600; background: #f2f4f7; }
            .badge { display: inline-block; border-radius: 10px; padding: 1px 9px; font-size: 13px;
                     font-weight: 600; white-space: nowrap; }
            .holds { background: #dcf5e3; color: #11602c; }
            .differs { background: #fff1d6; color: #7a4b00; }
            .not_even_in_python { background: #fde2e1; color: #8a1c17; }
            .verdict { margin: 8px 0; }
            .charts { display: flex; flex-wrap: wrap; gap: 12px; }
            .chart { width: 520px; height: 340px; }
            .findings { color: var(--muted); margin: 8px 0 0; padding-left: 20px; }
            .summary td.what { text-align: left; color: var(--muted); }
            .summary th { text-align: left; }
            """;
}
