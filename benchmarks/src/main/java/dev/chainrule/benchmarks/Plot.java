package dev.chainrule.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
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

        // Steps per second span four decades (xor to wide): markers on a log axis, one column per case.
        XYChart steps = new XYChartBuilder().width(560).height(420)
            .title("Training step, float64, 2 threads").xAxisTitle("case (Chainrule / PyTorch)").yAxisTitle("steps / s (log)").build();
        steps.getStyler().setYAxisLogarithmic(true);
        steps.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        steps.getStyler().setMarkerSize(12);
        steps.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        steps.getStyler().setXAxisMin(0.5);
        steps.getStyler().setXAxisMax(mlp.size() + 0.5);
        List<String> cases = new ArrayList<>();
        List<Double> pos = new ArrayList<>(), chain = new ArrayList<>(), torchPos = new ArrayList<>(), torch = new ArrayList<>();
        for (String[] r : mlp) {
            cases.add(r[0] + (r[3].equals("-") ? "" : " (" + r[3] + "x)"));
            pos.add((double) cases.size());
            chain.add(Double.parseDouble(r[1]));
            if (!r[2].equals("-")) {
                torchPos.add((double) cases.size());
                torch.add(Double.parseDouble(r[2]));
            }
        }
        steps.getStyler().setXAxisTicksVisible(false);
        steps.addSeries("Chainrule", pos, chain);
        if (!torch.isEmpty()) steps.addSeries("PyTorch eager", torchPos, torch);
        double min = chain.stream().mapToDouble(Double::doubleValue).min().orElse(1);
        for (double t : torch) min = Math.min(min, t);
        steps.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min / 3))));
        for (int i = 0; i < cases.size(); i++) {   // case names under the markers, in data coordinates
            double low = torch.size() == cases.size() ? Math.min(chain.get(i), torch.get(i)) : chain.get(i);
            steps.addAnnotation(new org.knowm.xchart.AnnotationText(cases.get(i), pos.get(i), low / 2.2, false));
        }

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
