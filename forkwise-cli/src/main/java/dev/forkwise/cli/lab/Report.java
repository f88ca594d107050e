package dev.forkwise.cli.lab;

import com.github.freva.asciitable.AsciiTable;
import com.github.freva.asciitable.Column;
import com.github.freva.asciitable.HorizontalAlign;
import com.github.freva.asciitable.OverflowBehaviour;

import java.util.ArrayList;
import java.util.List;

/**
 * What an experiment measured: a table, what the guide claims, the verdict on that claim computed
 * from the table's numbers, what else the numbers mean, and charts of them.
 *
 * @param title the experiment's title
 * @param claim what the guide says, quoted short, with the guide named
 * @param header the column names; the first column is left-aligned, the others right-aligned
 * @param rows the table's rows
 * @param findings plain sentences about what was measured
 * @param verdict whether the claim holds in Java, computed from the rows
 * @param charts the numbers as charts, for the HTML report
 * @param droppable the columns, by header, that a terminal table too narrow for them leaves out
 *     (first named, first left out); the HTML report and the JSON keep them
 */
public record Report(
        String title,
        String claim,
        List<String> header,
        List<List<String>> rows,
        List<String> findings,
        Verdict verdict,
        List<Chart> charts,
        List<String> droppable) {

    /** The narrowest a column is squeezed to when a table must fit its width. */
    static final int MIN_COLUMN = 8;

    /** Checks that every row has one cell per column. */
    public Report {
        header = List.copyOf(header);
        rows = rows.stream().map(List::copyOf).toList();
        findings = List.copyOf(findings);
        charts = List.copyOf(charts);
        droppable = List.copyOf(droppable);
        for (List<String> row : rows) {
            if (row.size() != header.size()) {
                throw new IllegalArgumentException(
                        "row "
                                + row
                                + " has "
                                + row.size()
                                + " cells for "
                                + header.size()
                                + " columns");
            }
        }
    }

    /**
     * A report with no verdict or charts yet.
     *
     * @param title the experiment's title
     * @param claim what the guide says
     * @param header the column names
     * @param rows the rows
     * @param findings what the numbers mean
     */
    public Report(
            String title,
            String claim,
            List<String> header,
            List<List<String>> rows,
            List<String> findings) {
        this(title, claim, header, rows, findings, null, List.of(), List.of());
    }

    /**
     * Returns this report with a verdict.
     *
     * @param v the verdict, computed from the rows
     * @return a new report
     */
    public Report with(Verdict v) {
        return new Report(title, claim, header, rows, findings, v, charts, droppable);
    }

    /**
     * Returns this report with charts added.
     *
     * @param more the charts
     * @return a new report
     */
    public Report with(Chart... more) {
        List<Chart> all = new ArrayList<>(charts);
        all.addAll(List.of(more));
        return new Report(title, claim, header, rows, findings, verdict, all, droppable);
    }

    /**
     * Returns this report with one more column, inserted at {@code index}.
     *
     * @param index where the column goes (0 is first)
     * @param name its header
     * @param cells one cell per row
     * @return a new report
     */
    public Report withColumn(int index, String name, List<String> cells) {
        if (cells.size() != rows.size()) {
            throw new IllegalArgumentException(
                    cells.size() + " cells for " + rows.size() + " rows in column " + name);
        }
        List<String> h = new ArrayList<>(header);
        h.add(index, name);
        List<List<String>> rs = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            List<String> r = new ArrayList<>(rows.get(i));
            r.add(index, cells.get(i));
            rs.add(r);
        }
        return new Report(title, claim, h, rs, findings, verdict, charts, droppable);
    }

    /**
     * Returns this report with columns that a narrow terminal table may leave out.
     *
     * @param headers the columns' headers, the first to go first
     * @return a new report
     */
    public Report dropping(String... headers) {
        for (String h : headers) {
            if (!header.contains(h)) {
                throw new IllegalArgumentException("no column '" + h + "' in " + header);
            }
        }
        return new Report(title, claim, header, rows, findings, verdict, charts, List.of(headers));
    }

    /**
     * Returns this report with one more row at the end.
     *
     * @param row one cell per column
     * @return a new report
     */
    public Report withRow(List<String> row) {
        List<List<String>> rs = new ArrayList<>(rows);
        rs.add(row);
        return new Report(title, claim, header, rs, findings, verdict, charts, droppable);
    }

    /**
     * Renders the table as text for a terminal, as wide as it needs.
     *
     * @return the table, with borders
     */
    public String table() {
        return table(Integer.MAX_VALUE);
    }

    /**
     * Renders the table as text for a terminal, at most {@code width} characters wide: the widest
     * columns are narrowed first, down to {@link #MIN_COLUMN}, and their cells wrap onto more
     * lines.
     *
     * @param width the most characters a line may take
     * @return the table, with borders
     */
    public String table(int width) {
        List<String> left = new ArrayList<>();
        for (String d : droppable) {
            if (naturalWidth(left) <= width) {
                break;
            }
            left.add(d);
        }
        if (!left.isEmpty()) {
            return without(left).table(width)
                    + "\n("
                    + String.join(", ", left)
                    + (left.size() == 1 ? " is" : " are")
                    + " left out to fit "
                    + width
                    + " columns; --wide shows "
                    + (left.size() == 1 ? "it" : "them")
                    + ")";
        }
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (List<String> r : rows) {
                widths[i] = Math.max(widths[i], r.get(i).length());
            }
        }
        // each column takes its text, a space either side and a border; the table one more border
        int total = 1;
        for (int w : widths) {
            total += w + 3;
        }
        while (total > width) {
            int widest = 0;
            for (int i = 1; i < widths.length; i++) {
                if (widths[i] > widths[widest]) {
                    widest = i;
                }
            }
            if (widths[widest] <= MIN_COLUMN) {
                break;
            }
            widths[widest]--;
            total--;
        }
        Column[] columns = new Column[header.size()];
        for (int i = 0; i < columns.length; i++) {
            HorizontalAlign align = i == 0 ? HorizontalAlign.LEFT : HorizontalAlign.RIGHT;
            columns[i] =
                    new Column()
                            .header(header.get(i))
                            .headerAlign(align)
                            .dataAlign(align)
                            .maxWidth(widths[i] + 2, OverflowBehaviour.NEWLINE);
        }
        Object[][] data = rows.stream().map(r -> r.toArray(Object[]::new)).toArray(Object[][]::new);
        return AsciiTable.getTable(AsciiTable.BASIC_ASCII_NO_DATA_SEPARATORS, columns, data);
    }

    /** The width of the table with the columns {@code left} out, before any narrowing. */
    private int naturalWidth(List<String> left) {
        int total = 1;
        for (int i = 0; i < header.size(); i++) {
            if (left.contains(header.get(i))) {
                continue;
            }
            int w = header.get(i).length();
            for (List<String> r : rows) {
                w = Math.max(w, r.get(i).length());
            }
            total += w + 3;
        }
        return total;
    }

    /** This report without the named columns, and with nothing left to drop. */
    private Report without(List<String> left) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            if (!left.contains(header.get(i))) {
                keep.add(i);
            }
        }
        List<String> h = keep.stream().map(header::get).toList();
        List<List<String>> rs = rows.stream().map(r -> keep.stream().map(r::get).toList()).toList();
        return new Report(title, claim, h, rs, findings, verdict, charts, List.of());
    }

    /**
     * Breaks {@code text} into lines of at most {@code width} characters at spaces (a word longer
     * than that keeps a line to itself), the first line after {@code first}, the rest after {@code
     * rest}.
     *
     * @param text the text
     * @param width the most characters per line, prefixes included
     * @param first the first line's prefix
     * @param rest the other lines' prefix
     * @return the lines joined with newlines
     */
    public static String wrap(String text, int width, String first, String rest) {
        StringBuilder out = new StringBuilder(first);
        int line = first.length();
        boolean empty = true;
        for (String word : text.split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            if (!empty && line + 1 + word.length() > width) {
                out.append('\n').append(rest);
                line = rest.length();
                empty = true;
            }
            if (!empty) {
                out.append(' ');
                line++;
            }
            out.append(word);
            line += word.length();
            empty = false;
        }
        return out.toString();
    }
}
