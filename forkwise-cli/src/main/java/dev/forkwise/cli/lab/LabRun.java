package dev.forkwise.cli.lab;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of the lab: where it ran and each experiment's report, in order; what the JSON output and
 * the HTML report are made from.
 *
 * @param version forkwise's version
 * @param machine the JVM and cores, in words
 * @param started when the run began
 * @param quick whether it was a quick run
 * @param outcomes each experiment's id and report
 */
record LabRun(
        String version,
        String machine,
        Instant started,
        boolean quick,
        List<LabCommand.Outcome> outcomes) {

    /** The run as JSON: plain maps and lists, so the field names are the schema. */
    String json() throws IOException {
        return JSON.std
                .with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES)
                .asString(tree());
    }

    /** The run as maps and lists, in the order the JSON shows them. */
    Map<String, Object> tree() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("forkwise", version);
        root.put("machine", machine);
        root.put("started", started.toString());
        root.put("quick", quick);
        List<Object> list = new ArrayList<>();
        for (LabCommand.Outcome o : outcomes) {
            Map<String, Object> e = experiment(o.id(), o.report());
            e.put("seconds", o.took().toNanos() / 1e9);
            list.add(e);
        }
        root.put("experiments", list);
        return root;
    }

    private static Map<String, Object> experiment(String id, Report r) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", id);
        e.put("title", r.title());
        e.put("claim", r.claim());
        e.put("header", r.header());
        e.put("rows", r.rows());
        if (r.verdict() != null) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("outcome", r.verdict().outcome().name());
            v.put("words", r.verdict().outcome().words());
            v.put("sentence", r.verdict().sentence());
            e.put("verdict", v);
        } else {
            e.put("verdict", null);
        }
        e.put("findings", r.findings());
        List<Object> charts = new ArrayList<>();
        for (Chart c : r.charts()) {
            charts.add(chart(c));
        }
        e.put("charts", charts);
        return e;
    }

    static Map<String, Object> chart(Chart c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("title", c.title());
        m.put("type", c.type().name());
        m.put("xAxis", c.xAxis());
        m.put("yAxis", c.yAxis());
        m.put("categories", c.categories());
        List<Object> series = new ArrayList<>();
        for (Chart.Series s : c.series()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("name", s.name());
            sm.put("x", s.x());
            sm.put("y", s.y());
            series.add(sm);
        }
        m.put("series", series);
        return m;
    }
}
