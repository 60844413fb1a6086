package dev.chainrule.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScalingPlotTest {

    @Test
    void crossingIsInterpolatedOnLogAxes() {
        // ratio 2 at x = 100, 0.5 at x = 400: log ratio is linear in log x and reaches 0 half way, at x = 200
        List<ScalingPlot.Crossover> c = ScalingPlot.crossovers(new double[] {25, 100, 400}, new double[] {3, 2, 0.5});
        assertEquals(1, c.size());
        assertEquals(200, c.get(0).at(), 1e-9);
        assertEquals(100, c.get(0).xBefore());
        assertEquals(400, c.get(0).xAfter());
    }

    @Test
    void crossingsBothWaysAndNoneWhenOneSided() {
        assertEquals(2, ScalingPlot.crossovers(new double[] {1, 2, 4}, new double[] {0.5, 2, 0.5}).size());
        assertTrue(ScalingPlot.crossovers(new double[] {1, 2, 4}, new double[] {1.5, 2, 1.1}).isEmpty());
        assertTrue(ScalingPlot.crossovers(new double[] {1, 2, 4}, new double[] {0.5, 0.9, 0.99}).isEmpty());
    }

    @Test
    void ratioExactlyOneBetweenOppositeSidesIsTheCrossing() {
        List<ScalingPlot.Crossover> c = ScalingPlot.crossovers(new double[] {1, 2, 4}, new double[] {2, 1, 0.5});
        assertEquals(1, c.size());
        assertEquals(2, c.get(0).at());
        // touching 1 without crossing is not a crossover
        assertTrue(ScalingPlot.crossovers(new double[] {1, 2, 4}, new double[] {2, 1, 3}).isEmpty());
    }

    @Test
    void badInputIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> ScalingPlot.crossovers(new double[] {1, 2}, new double[] {1}));
        assertEquals("crossovers: 2 x for 1 ratios", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScalingPlot.crossovers(new double[] {2, 1}, new double[] {1, 1}));
        assertEquals("crossovers: x must increase, got 2.0 then 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScalingPlot.crossovers(new double[] {1, 2}, new double[] {0, 1}));
        assertTrue(e.getMessage().startsWith("crossovers: x and ratios must be positive"), e.getMessage());
    }

    @Test
    void reportUsesTheFasterPyTorchSettingForBest(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("s.csv");
        Files.writeString(csv, String.join("\n",
            "# comment", "sweep,width,batch,dtype,library,steps_per_s",
            "width,64,128,float32,chainrule,100", "width,64,128,float32,pytorch,50", "width,64,128,float32,pytorch-passive,80",
            "width,256,128,float32,chainrule,10", "width,256,128,float32,pytorch,5", "width,256,128,float32,pytorch-passive,20", ""));
        List<String> lines = ScalingPlot.report(ScalingPlot.read(csv));
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("no crossover: width sweep, float32, Chainrule / pytorch: Chainrule ahead"), lines.get(0));
        assertTrue(lines.get(1).startsWith("crossover: width sweep, float32, Chainrule / pytorch-passive: ratio crosses 1 at width ~ "), lines.get(1));
        assertTrue(lines.get(2).contains("best PyTorch setting"), lines.get(2));
        // best: ratios 100/80 = 1.25 and 10/20 = 0.5; log-linear crossing at 64 * 4^(log 1.25 / log 2.5)
        double at = 64 * Math.pow(4, Math.log(1.25) / Math.log(2.5));
        assertTrue(lines.get(2).contains(String.format(java.util.Locale.ROOT, "~ %.0f", at)), lines.get(2));
    }
}
