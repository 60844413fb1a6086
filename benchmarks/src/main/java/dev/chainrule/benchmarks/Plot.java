package dev.chainrule.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/**
 * Draws docs/benchmarks.png from the tab-separated outputs of {@code compare.sh --out} and
 * {@link GemmReport}: training steps per second, Chainrule vs PyTorch (log scale), and GEMM GFLOPS
 * vs n, Chainrule vs the BLAS called directly.
 * {@code java -Djava.awt.headless=true -cp chainrule-benchmarks.jar dev.chainrule.benchmarks.Plot mlp.tsv gemm.tsv out.png}
 */
public final class Plot {
    private Plot() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) throw new IllegalArgumentException("usage: Plot mlp.tsv gemm.tsv out.png");
        System.setProperty("java.awt.headless", "true");
        List<String[]> mlp = rows(Path.of(args[0]));
        List<String[]> gemm = rows(Path.of(args[1]));

        CategoryChart steps = new CategoryChartBuilder().width(560).height(420)
            .title("Training step, float64, 2 threads").xAxisTitle("case").yAxisTitle("steps / s (log)").build();
        steps.getStyler().setYAxisLogarithmic(true);
        steps.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        List<String> cases = new ArrayList<>();
        List<Double> chain = new ArrayList<>(), torch = new ArrayList<>();
        for (String[] r : mlp) {
            cases.add(r[0] + " (" + r[3] + "x)");
            chain.add(Double.parseDouble(r[1]));
            torch.add(r[2].equals("-") ? Double.NaN : Double.parseDouble(r[2]));
        }
        steps.addSeries("Chainrule", cases, chain);
        steps.addSeries("PyTorch eager", cases, torch);

        XYChart flops = new XYChartBuilder().width(560).height(420)
            .title("Square dgemm C = A B").xAxisTitle("n").yAxisTitle("GFLOPS").build();
        flops.getStyler().setXAxisLogarithmic(true);
        flops.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        List<Double> n = new ArrayList<>(), mm = new ArrayList<>(), direct = new ArrayList<>();
        for (String[] r : gemm) {
            n.add(Double.parseDouble(r[0]));
            mm.add(Double.parseDouble(r[1]));
            direct.add(Double.parseDouble(r[5]));
        }
        flops.addSeries("Tensor.matmul", n, mm).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        flops.addSeries("BLAS called directly", n, direct).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);

        var a = BitmapEncoder.getBufferedImage(steps);
        var b = BitmapEncoder.getBufferedImage(flops);
        var out = new java.awt.image.BufferedImage(a.getWidth() + b.getWidth(), Math.max(a.getHeight(), b.getHeight()),
            java.awt.image.BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, a.getWidth(), 0, null);
        g.dispose();
        javax.imageio.ImageIO.write(out, "png", Path.of(args[2]).toFile());
    }

    /** Data rows of a tab-separated file with a header line; lines starting with # are skipped. */
    private static List<String[]> rows(Path p) throws IOException {
        List<String[]> out = new ArrayList<>();
        boolean header = true;
        for (String line : Files.readAllLines(p)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            if (header) {
                header = false;
                continue;
            }
            out.add(line.split("\t"));
        }
        return out;
    }
}
