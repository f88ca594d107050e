package dev.forkwise.cli.lab;

import com.github.freva.asciitable.AsciiTable;
import com.github.freva.asciitable.Column;
import com.github.freva.asciitable.HorizontalAlign;

import java.util.List;

/**
 * What an experiment measured: a table, what the seed claims, and what the numbers mean.
 *
 * @param title the experiment's title
 * @param claim what the seed says, quoted or summarised, with the seed named
 * @param header the column names; the first column is left-aligned, the others right-aligned
 * @param rows the table's rows
 * @param findings plain sentences about what was measured
 */
public record Report(
        String title,
        String claim,
        List<String> header,
        List<List<String>> rows,
        List<String> findings) {

    /** Checks that every row has one cell per column. */
    public Report {
        header = List.copyOf(header);
        rows = rows.stream().map(List::copyOf).toList();
        findings = List.copyOf(findings);
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
     * Renders the table as text for a terminal.
     *
     * @return the table, with borders
     */
    public String table() {
        Column[] columns = new Column[header.size()];
        for (int i = 0; i < columns.length; i++) {
            HorizontalAlign align = i == 0 ? HorizontalAlign.LEFT : HorizontalAlign.RIGHT;
            columns[i] = new Column().header(header.get(i)).headerAlign(align).dataAlign(align);
        }
        Object[][] data = rows.stream().map(r -> r.toArray(Object[]::new)).toArray(Object[][]::new);
        return AsciiTable.getTable(AsciiTable.BASIC_ASCII_NO_DATA_SEPARATORS, columns, data);
    }
}
