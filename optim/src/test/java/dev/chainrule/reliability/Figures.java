package dev.chainrule.reliability;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reliability suite's figures (depth reached, steps run, heap, corruptions tried, ...), logged at
 * INFO through one dedicated logger so that a build log can be grepped for them:
 * {@code grep 'RELIABILITY' build.log}.
 */
final class Figures {
    private Figures() {}

    static final Logger LOG = LoggerFactory.getLogger("dev.chainrule.reliability");

    /** Logs one figure line: {@code RELIABILITY <area>: <message>}. */
    static void report(String area, String format, Object... args) {
        LOG.info("RELIABILITY {}: {}", area, String.format(Locale.ROOT, format, args));
    }

    /** Runs {@code body} on a new thread created with the default stack size; rethrows what it threw. */
    static void onFreshThread(String name, ThrowingRunnable body) throws Exception {
        Throwable[] failure = new Throwable[1];
        // Thread(Runnable, String) uses the JVM's default thread stack size (-Xss is not raised by this build).
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, name);
        t.setDaemon(true);                   // a hang guard (@Timeout) that gives up on it must not keep the JVM alive
        t.start();
        t.join();
        if (failure[0] instanceof Exception e) throw e;
        if (failure[0] instanceof Error e) throw e;
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
