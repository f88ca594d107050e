package dev.forkwise.cli.lab;

import java.util.List;
import java.util.Objects;

/**
 * A chart of what an experiment measured, as data: the HTML report draws it (with ECharts), the
 * JSON output carries it.
 *
 * @param title what it shows
 * @param type lines over a numeric x axis, or bars over named categories
 * @param xAxis the x axis's name, with its unit
 * @param yAxis the y axis's name, with its unit
 * @param categories the bars' names ({@link Type#BAR}); empty for lines
 * @param series the data: for bars, one value per category; for lines, (x, y) points
 */
public record Chart(
        String title,
        Type type,
        String xAxis,
        String yAxis,
        List<String> categories,
        List<Series> series) {

    /** How the data is drawn. */
    public enum Type {
        /** Lines over a numeric x axis. */
        LINE,
        /** Lines over a logarithmic x axis, for x values that span decades. */
        LOG_LINE,
        /** Bars over named categories. */
        BAR
    }

    /**
     * One named series.
     *
     * @param name its name in the legend
     * @param x the x values (lines only; empty for bars)
     * @param y the y values
     */
    public record Series(String name, List<Double> x, List<Double> y) {

        /** Checks that x and y pair up. */
        public Series {
            Objects.requireNonNull(name, "name");
            x = List.copyOf(x);
            y = List.copyOf(y);
            if (!x.isEmpty() && x.size() != y.size()) {
                throw new IllegalArgumentException(
                        "series '" + name + "' has " + x.size() + " x values for " + y.size());
            }
        }

        /**
         * A series of bar heights, one per category.
         *
         * @param name its name
         * @param values the heights
         * @return the series
         */
        public static Series bars(String name, List<Double> values) {
            return new Series(name, List.of(), values);
        }
    }

    /** Checks that the data fits the type. */
    public Chart {
        Objects.requireNonNull(type, "type");
        categories = List.copyOf(categories);
        series = List.copyOf(series);
        if (series.isEmpty()) {
            throw new IllegalArgumentException("chart '" + title + "' has no series");
        }
        for (Series s : series) {
            if (type == Type.BAR && s.y().size() != categories.size()) {
                throw new IllegalArgumentException(
                        "bar series '"
                                + s.name()
                                + "' has "
                                + s.y().size()
                                + " values for "
                                + categories.size()
                                + " categories");
            }
            if (type != Type.BAR && s.x().isEmpty()) {
                throw new IllegalArgumentException("line series '" + s.name() + "' has no x");
            }
        }
    }

    /**
     * A line chart.
     *
     * @param title what it shows
     * @param xAxis the x axis's name
     * @param yAxis the y axis's name
     * @param series the lines
     * @return the chart
     */
    public static Chart line(String title, String xAxis, String yAxis, List<Series> series) {
        return new Chart(title, Type.LINE, xAxis, yAxis, List.of(), series);
    }

    /**
     * A line chart over a logarithmic x axis.
     *
     * @param title what it shows
     * @param xAxis the x axis's name
     * @param yAxis the y axis's name
     * @param series the lines (x values above 0)
     * @return the chart
     */
    public static Chart logLine(String title, String xAxis, String yAxis, List<Series> series) {
        return new Chart(title, Type.LOG_LINE, xAxis, yAxis, List.of(), series);
    }

    /**
     * A bar chart.
     *
     * @param title what it shows
     * @param yAxis the y axis's name
     * @param categories the bars' names
     * @param series the heights, one series per colour
     * @return the chart
     */
    public static Chart bar(
            String title, String yAxis, List<String> categories, List<Series> series) {
        return new Chart(title, Type.BAR, "", yAxis, categories, series);
    }
}
