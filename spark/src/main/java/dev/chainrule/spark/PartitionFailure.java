package dev.chainrule.spark;

/**
 * Thrown inside a task to carry where it failed (partition, rows, step) back to the driver, which
 * replaces Spark's "Job aborted due to stage failure" wrapper by an exception of the original kind
 * with this message. Serializable, as every task failure must be.
 */
final class PartitionFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PartitionFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The exception the driver throws for a failed job: the task's own error kind
     * ({@link IllegalArgumentException} for bad data or arguments, else {@link IllegalStateException})
     * with the partition's message, and the task's original error as the cause, or, when no task of ours
     * failed (an executor was lost, Spark itself failed), an {@link IllegalStateException} naming Spark's
     * innermost cause.
     */
    static RuntimeException unwrap(String what, Throwable sparkError, String outcome) {
        for (Throwable t = sparkError; t != null; t = t.getCause()) {
            if (t instanceof PartitionFailure pf) {
                Throwable original = pf.getCause();
                String msg = what + ": " + pf.getMessage() + (outcome.isEmpty() ? "" : "; " + outcome);
                return original instanceof IllegalArgumentException ? new IllegalArgumentException(msg, original)
                    : new IllegalStateException(msg, original);
            }
            if (t.getCause() == t) break;
        }
        if (sparkError instanceof RuntimeException r && !r.getClass().getName().startsWith("org.apache.spark.")) {
            return r;   // thrown on the driver by our own code, not by a job
        }
        Throwable root = sparkError;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return new IllegalStateException(what + " failed in Spark: " + root + (outcome.isEmpty() ? "" : "; " + outcome), sparkError);
    }
}
