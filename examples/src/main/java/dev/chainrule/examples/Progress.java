package dev.chainrule.examples;

import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar that appears only when it is useful: on an interactive terminal
 * ({@code System.console() != null}) and once the run has taken longer than a couple of seconds.
 * Short runs, tests and runs with redirected output never draw one. Not thread-safe.
 */
final class Progress implements AutoCloseable {

    /** Runs that finish faster than this never show a bar. */
    static final Duration SHOW_AFTER = Duration.ofSeconds(2);

    private final String task;
    private final long max;
    private final boolean enabled;
    private final long startNanos = System.nanoTime();
    private long done;
    private ProgressBar bar;

    private Progress(String task, long max, boolean enabled) {
        this.task = task;
        this.max = max;
        this.enabled = enabled;
    }

    /** A tracker of {@code max} steps, drawn only when on a terminal and the run turns out to be long. */
    static Progress start(String task, long max) {
        return new Progress(task, max, System.console() != null);
    }

    /** Marks one step done. */
    void step() {
        done++;
        if (bar != null) {
            bar.step();
            return;
        }
        if (!enabled || done >= max) return;
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        if (elapsed.compareTo(SHOW_AFTER) > 0) {
            bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max)
                .setStyle(ProgressBarStyle.ASCII)
                .startsFrom(done, elapsed)
                .build();
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
