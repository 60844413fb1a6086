package dev.chainrule.benchmarks;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * Draws docs/scaling.png from the CSV that {@code benchmarks/scaling.sh} writes and prints where the
 * Chainrule / PyTorch steps-per-second ratio crosses 1.
 *
 * <p>CSV columns (with a header line): {@code sweep,width,batch,dtype,library,steps_per_s}; sweep is
 * {@code width} (width varies, batch fixed) or {@code batch}; library is {@code chainrule},
 * {@code pytorch} (its default) or {@code pytorch-passive} ({@code OMP_WAIT_POLICY=passive}).
 * The plot: top, steps/s against width and against batch (log-log), every library and dtype; bottom,
 * the ratio Chainrule / best PyTorch setting (the faster of default and passive at each point) per dtype.
 *
 * <p>Usage: {@code java -Djava.awt.headless=true -cp chainrule-benchmarks.jar dev.chainrule.benchmarks.ScalingPlot
 * scaling.csv [scaling.png]}; prints one {@code crossover ...} or {@code no crossover ...} line per sweep,
 * dtype and PyTorch setting (default, passive, best).
 */
public final class ScalingPlot {
    private ScalingPlot() {}

    /** One measured point. */
    record Row(String sweep, int width, int batch, String dtype, String library, double stepsPerS) {
        double x() {
            return sweep.equals("width") ? width : batch;
        }
    }

    /** Where a ratio crosses 1 between two measured x: {@code at} interpolated on log x and log ratio. */
    record Crossover(double at, double xBefore, double ratioBefore, double xAfter, double ratioAfter) {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) throw new IllegalArgumentException("usage: ScalingPlot scaling.csv [scaling.png]");
        List<Row> rows = read(Path.of(args[0]));
        for (String line : report(rows)) System.out.println(line);
        if (args.length == 2) draw(rows, Path.of(args[1]));
    }

    /** The rows of a scaling CSV (header line and lines starting with # skipped). */
    static List<Row> read(Path p) throws IOException {
        List<Row> out = new ArrayList<>();
        for (String line : Files.readAllLines(p)) {
            if (line.isBlank() || line.startsWith("#") || line.startsWith("sweep,")) continue;
            String[] f = line.split(",");
            if (f.length != 6) throw new IOException(p + ": expected 6 fields (sweep,width,batch,dtype,library,steps_per_s): " + line);
            out.add(new Row(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3], f[4], Double.parseDouble(f[5])));
        }
        return out;
    }

    /**
     * Where {@code ratio} (given at increasing {@code x}) crosses 1: for each adjacent pair on
     * opposite sides of 1, the x at which the straight line through them in (log x, log ratio)
     * reaches log 1 = 0; a point exactly at 1 is a crossover at that x when its neighbours are on
     * opposite sides of 1.
     *
     * @throws IllegalArgumentException if the lengths differ, x does not increase or a value is not positive
     */
    static List<Crossover> crossovers(double[] x, double[] ratio) {
        if (x.length != ratio.length) throw new IllegalArgumentException("crossovers: " + x.length + " x for " + ratio.length + " ratios");
        for (int i = 0; i < x.length; i++) {
            if (!(x[i] > 0) || !(ratio[i] > 0)) throw new IllegalArgumentException("crossovers: x and ratios must be positive, got x "
                + x[i] + ", ratio " + ratio[i] + " at index " + i);
            if (i > 0 && !(x[i] > x[i - 1])) throw new IllegalArgumentException("crossovers: x must increase, got " + x[i - 1] + " then " + x[i]);
        }
        List<Crossover> out = new ArrayList<>();
        int prev = -1;                      // last index with a ratio different from 1
        for (int i = 0; i < x.length; i++) {
            double li = Math.log(ratio[i]);
            if (li == 0) continue;
            if (prev >= 0) {
                double lp = Math.log(ratio[prev]);
                if (lp * li < 0) {
                    double at;
                    if (prev == i - 1) {
                        double lx0 = Math.log(x[prev]), lx1 = Math.log(x[i]);
                        at = Math.exp(lx0 + (lx1 - lx0) * (-lp) / (li - lp));
                    } else {
                        at = x[prev + 1];       // ratios exactly 1 in between: the first of them
                    }
                    out.add(new Crossover(at, x[prev], ratio[prev], x[i], ratio[i]));
                }
            }
            prev = i;
        }
        return out;
    }

    /** Chainrule / PyTorch ratio per x of one sweep and dtype; {@code torch} = pytorch, pytorch-passive or best. */
    static TreeMap<Double, Double> ratios(List<Row> rows, String sweep, String dtype, String torch) {
        TreeMap<Double, Double> chain = series(rows, sweep, dtype, "chainrule");
        TreeMap<Double, Double> t;
        if (torch.equals("best")) {
            t = series(rows, sweep, dtype, "pytorch");
            series(rows, sweep, dtype, "pytorch-passive").forEach((x, v) -> t.merge(x, v, Math::max));
        } else {
            t = series(rows, sweep, dtype, torch);
        }
        TreeMap<Double, Double> out = new TreeMap<>();
        for (Map.Entry<Double, Double> e : chain.entrySet()) {
            Double v = t.get(e.getKey());
            if (v != null && v > 0) out.put(e.getKey(), e.getValue() / v);
        }
        return out;
    }

    /** steps/s by x for one sweep, dtype and library (the mean if a point was measured more than once). */
    static TreeMap<Double, Double> series(List<Row> rows, String sweep, String dtype, String library) {
        TreeMap<Double, double[]> acc = new TreeMap<>();
        for (Row r : rows) {
            if (r.sweep.equals(sweep) && r.dtype.equals(dtype) && r.library.equals(library)) {
                double[] a = acc.computeIfAbsent(r.x(), k -> new double[2]);
                a[0] += r.stepsPerS;
                a[1]++;
            }
        }
        TreeMap<Double, Double> out = new TreeMap<>();
        acc.forEach((x, a) -> out.put(x, a[0] / a[1]));
        return out;
    }

    /** One line per sweep, dtype and PyTorch setting: the crossovers, or the range of the ratio when there is none. */
    static List<String> report(List<Row> rows) {
        List<String> out = new ArrayList<>();
        TreeSet<String> dtypes = new TreeSet<>();
        rows.forEach(r -> dtypes.add(r.dtype));
        for (String sweep : List.of("width", "batch")) {
            for (String dtype : dtypes) {
                for (String torch : List.of("pytorch", "pytorch-passive", "best")) {
                    TreeMap<Double, Double> r = ratios(rows, sweep, dtype, torch);
                    if (r.isEmpty()) continue;
                    double[] x = r.keySet().stream().mapToDouble(Double::doubleValue).toArray();
                    double[] v = r.values().stream().mapToDouble(Double::doubleValue).toArray();
                    String what = String.format(Locale.ROOT, "%s sweep, %s, Chainrule / %s", sweep, dtype,
                        torch.equals("best") ? "best PyTorch setting" : torch);
                    List<Crossover> cs = crossovers(x, v);
                    if (cs.isEmpty()) {
                        double lo = Double.MAX_VALUE, hi = 0;
                        for (double d : v) {
                            lo = Math.min(lo, d);
                            hi = Math.max(hi, d);
                        }
                        out.add(String.format(Locale.ROOT, "no crossover: %s: %s at every %s (ratio %.2f to %.2f)", what,
                            lo >= 1 ? "Chainrule ahead or even" : "PyTorch ahead", sweep, lo, hi));
                    }
                    for (Crossover c : cs) {
                        out.add(String.format(Locale.ROOT, "crossover: %s: ratio crosses 1 at %s ~ %.0f (%.2f at %.0f, %.2f at %.0f)",
                            what, sweep, c.at, c.ratioBefore, c.xBefore, c.ratioAfter, c.xAfter));
                    }
                }
            }
        }
        return out;
    }

    private static void draw(List<Row> rows, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        TreeSet<String> dtypes = new TreeSet<>();
        rows.forEach(r -> dtypes.add(r.dtype));
        int fixedBatch = rows.stream().filter(r -> r.sweep.equals("width")).mapToInt(Row::batch).findFirst().orElse(0);
        int fixedWidth = rows.stream().filter(r -> r.sweep.equals("batch")).mapToInt(Row::width).findFirst().orElse(0);
        BufferedImage[] panels = {
            steps(rows, "width", "steps/s vs layer width (batch " + fixedBatch + ")", dtypes),
            steps(rows, "batch", "steps/s vs batch (width " + fixedWidth + ")", dtypes),
            ratio(rows, "width", "Chainrule / best PyTorch vs width", dtypes),
            ratio(rows, "batch", "Chainrule / best PyTorch vs batch", dtypes),
        };
        int w = panels[0].getWidth(), h = panels[0].getHeight();
        BufferedImage out = new BufferedImage(2 * w, 2 * h, BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        for (int i = 0; i < 4; i++) g.drawImage(panels[i], (i % 2) * w, (i / 2) * h, null);
        g.dispose();
        javax.imageio.ImageIO.write(out, "png", png.toFile());
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(760).height(420).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        return c;
    }

    private static BufferedImage steps(List<Row> rows, String sweep, String title, TreeSet<String> dtypes) {
        XYChart c = chart(title, sweep + " (log)", "steps / s (log)");
        c.getStyler().setYAxisLogarithmic(true);
        for (String dtype : dtypes) {
            for (String lib : List.of("chainrule", "pytorch", "pytorch-passive")) {
                TreeMap<Double, Double> s = series(rows, sweep, dtype, lib);
                if (s.isEmpty()) continue;
                String name = (lib.equals("chainrule") ? "Chainrule" : lib.equals("pytorch") ? "PyTorch" : "PyTorch passive") + " " + dtype;
                c.addSeries(name, new ArrayList<>(s.keySet()), new ArrayList<>(s.values()));
            }
        }
        return BitmapEncoder.getBufferedImage(c);
    }

    private static BufferedImage ratio(List<Row> rows, String sweep, String title, TreeSet<String> dtypes) {
        XYChart c = chart(title, sweep + " (log)", "ratio (> 1: Chainrule faster, log)");
        c.getStyler().setYAxisLogarithmic(true);
        List<Double> xs = new ArrayList<>();
        for (String dtype : dtypes) {
            TreeMap<Double, Double> r = ratios(rows, sweep, dtype, "best");
            if (r.isEmpty()) continue;
            c.addSeries("Chainrule / best\nPyTorch, " + dtype, new ArrayList<>(r.keySet()), new ArrayList<>(r.values()));
            xs.addAll(r.keySet());
        }
        if (!xs.isEmpty()) {
            double lo = xs.stream().mapToDouble(Double::doubleValue).min().orElse(1);
            double hi = xs.stream().mapToDouble(Double::doubleValue).max().orElse(1);
            c.addSeries("parity", List.of(lo, hi), List.of(1.0, 1.0)).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        return BitmapEncoder.getBufferedImage(c);
    }
}
