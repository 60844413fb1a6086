package dev.chainrule.examples;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PNG plots with XChart, rendered headless ({@code java.awt.headless=true}, so no display is needed):
 * loss curves and decision boundaries of 2-D classifiers; image grids are drawn with java.awt.
 */
public final class Plots {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final Logger LOG = LoggerFactory.getLogger(Plots.class);

    /** Class colours (blue, orange, green, red, purple), strong for data and pale for regions. */
    private static final Color[] CLASS_COLORS = {
        new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40), new Color(148, 103, 189)
    };

    private static final int GRID = 90;

    /** Curves longer than this are drawn through every k-th point. */
    static final int MAX_CURVE_POINTS = 200;

    private Plots() {}

    /** Predicts a class for each row of a batch of 2-D points. */
    @FunctionalInterface
    public interface Classifier {
        int[] predict(double[][] points);
    }

    /**
     * Writes a line chart of one or more loss curves (value per epoch) to {@code dir/fileName}.
     * With {@code logY} the y axis is logarithmic, unless some value is not positive or the values
     * span less than two decades.
     *
     * @return the file written
     */
    public static Path lossCurves(Path dir, String fileName, String title, String yTitle,
                                  Map<String, double[]> curves, boolean logY) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        boolean positive = true;
        double min = Double.POSITIVE_INFINITY, max = 0;
        for (Map.Entry<String, double[]> c : curves.entrySet()) {
            double[] all = c.getValue();
            for (double v : all) {
                if (!(v > 0)) positive = false;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            // XChart labels equally spaced integer x values at data points; beyond a few hundred the
            // labels overlap, so long curves are drawn through every k-th epoch (and the last).
            int stride = (all.length + MAX_CURVE_POINTS - 1) / MAX_CURVE_POINTS;
            int count = (all.length - 1) / stride + 1 + ((all.length - 1) % stride == 0 ? 0 : 1);
            double[] x = new double[count], y = new double[count];
            for (int k = 0; k < count; k++) {
                int i = Math.min(k * stride, all.length - 1);
                x[k] = i + 1;
                y[k] = all[i];
            }
            XYSeries s = chart.addSeries(c.getKey(), x, y);
            s.setMarker(SeriesMarkers.NONE);
        }
        // XChart labels only powers of ten on a log axis: use it only when the curve spans two decades.
        chart.getStyler().setYAxisLogarithmic(logY && positive && max >= 100 * min);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return save(chart, dir, fileName);
    }

    /**
     * Writes a line chart of several series over the same x values to {@code dir/fileName}; series
     * whose name starts with {@code "*"} are drawn as markers only (the star is dropped).
     *
     * @return the file written
     */
    public static Path lines(Path dir, String fileName, String title, String xTitle, String yTitle, double[] x,
                             Map<String, double[]> series) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            boolean markers = e.getKey().startsWith("*");
            XYSeries s = chart.addSeries(markers ? e.getKey().substring(1) : e.getKey(), x, e.getValue());
            if (markers) {
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarker(SeriesMarkers.CIRCLE);
            } else {
                s.setMarker(SeriesMarkers.NONE);
            }
        }
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return save(chart, dir, fileName);
    }

    /** A single loss curve. */
    public static Path lossCurve(Path dir, String fileName, String title, double[] losses, boolean logY) throws IOException {
        Map<String, double[]> one = new LinkedHashMap<>();
        one.put("training loss", losses);
        return lossCurves(dir, fileName, title, "loss", one, logY);
    }

    /**
     * Writes a scatter plot of labelled 2-D points over the regions a classifier assigns to each
     * class (evaluated on a {@value #GRID}×{@value #GRID} grid covering the data with a margin).
     *
     * @return the file written
     */
    public static Path decisionBoundary(Path dir, String fileName, String title, double[][] points, int[] labels,
                                        Classifier classifier) throws IOException {
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (double[] p : points) {
            minX = Math.min(minX, p[0]);
            maxX = Math.max(maxX, p[0]);
            minY = Math.min(minY, p[1]);
            maxY = Math.max(maxY, p[1]);
        }
        double padX = 0.1 * (maxX - minX) + 1e-9, padY = 0.1 * (maxY - minY) + 1e-9;
        minX -= padX;
        maxX += padX;
        minY -= padY;
        maxY += padY;
        double[][] grid = new double[GRID * GRID][];
        for (int i = 0; i < GRID; i++) {
            for (int j = 0; j < GRID; j++) {
                grid[i * GRID + j] = new double[] {minX + (maxX - minX) * j / (GRID - 1), minY + (maxY - minY) * i / (GRID - 1)};
            }
        }
        int[] region = classifier.predict(grid);
        int classes = 0;
        for (int l : labels) classes = Math.max(classes, l + 1);
        for (int r : region) classes = Math.max(classes, r + 1);

        XYChart chart = new XYChartBuilder().width(700).height(700).title(title).xAxisTitle("x1").yAxisTitle("x2").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setXAxisMin(minX);
        chart.getStyler().setXAxisMax(maxX);
        chart.getStyler().setYAxisMin(minY);
        chart.getStyler().setYAxisMax(maxY);
        for (int c = 0; c < classes; c++) {
            List<double[]> in = new ArrayList<>();
            for (int k = 0; k < region.length; k++) if (region[k] == c) in.add(grid[k]);
            if (in.isEmpty()) continue;
            XYSeries s = chart.addSeries("predicted " + c, column(in, 0), column(in, 1));
            s.setMarker(SeriesMarkers.SQUARE);
            s.setMarkerColor(pale(color(c)));
        }
        for (int c = 0; c < classes; c++) {
            List<double[]> in = new ArrayList<>();
            for (int k = 0; k < labels.length; k++) if (labels[k] == c) in.add(points[k]);
            if (in.isEmpty()) continue;
            XYSeries s = chart.addSeries("class " + c, column(in, 0), column(in, 1));
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(color(c));
        }
        return save(chart, dir, fileName);
    }

    /**
     * Writes a grid of grey-scale images (each {@code side × side} values in [0, 1], 0 black, row-major)
     * with a caption under each, drawn with java.awt, to {@code dir/fileName}: six per row, each scaled 3×.
     *
     * @return the file written
     */
    public static Path imageGrid(Path dir, String fileName, String title, List<double[]> images, List<String> captions, int side)
        throws IOException {
        int scale = 3, cols = Math.max(1, Math.min(6, images.size())), rows = Math.max(1, (images.size() + cols - 1) / cols);
        int cellW = Math.max(side * scale, 150), cellH = side * scale + 22, top = 36;
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(cols * cellW, top + rows * cellH,
            java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 15));
            g.drawString(title, 8, 24);
            g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11));
            for (int k = 0; k < images.size(); k++) {
                int x0 = (k % cols) * cellW + (cellW - side * scale) / 2, y0 = top + (k / cols) * cellH;
                double[] px = images.get(k);
                for (int i = 0; i < side; i++) {
                    for (int j = 0; j < side; j++) {
                        int v = (int) Math.round(255 * Math.max(0, Math.min(1, px[i * side + j])));
                        g.setColor(new Color(v, v, v));
                        g.fillRect(x0 + j * scale, y0 + i * scale, scale, scale);
                    }
                }
                g.setColor(Color.BLACK);
                String caption = k < captions.size() ? captions.get(k) : "";
                int w = g.getFontMetrics().stringWidth(caption);
                g.drawString(caption, (k % cols) * cellW + Math.max(2, (cellW - w) / 2), y0 + side * scale + 15);
            }
        } finally {
            g.dispose();
        }
        Files.createDirectories(dir);
        Path file = dir.resolve(fileName);
        javax.imageio.ImageIO.write(img, "png", file.toFile());
        LOG.info("wrote {}", file);
        return file;
    }

    private static Color color(int c) {
        return CLASS_COLORS[c % CLASS_COLORS.length];
    }

    private static Color pale(Color c) {
        return new Color((c.getRed() + 3 * 255) / 4, (c.getGreen() + 3 * 255) / 4, (c.getBlue() + 3 * 255) / 4);
    }

    private static double[] column(List<double[]> rows, int j) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) out[i] = rows.get(i)[j];
        return out;
    }

    private static Path save(XYChart chart, Path dir, String fileName) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(fileName);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapFormat.PNG);
        LOG.info("wrote {}", file);
        return file;
    }
}
