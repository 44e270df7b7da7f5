package dev.dbagent.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an operation did: whether it succeeded, a one-line summary, the steps it took (each with
 * its time and a detail line) and any warnings. Immutable and thread-safe.
 *
 * <p>{@link #toText()} renders it for a terminal (jmxterm, {@code dbctl}); the accessors serve
 * programmatic callers and the JMX layer.
 */
public final class OperationResult {
    /**
     * One step of an operation.
     *
     * @param name what the step was, e.g. a changeset {@code 003-add-index (alice)}
     * @param millis how long it took
     * @param detail one line of detail, may be empty
     */
    public record Step(String name, long millis, String detail) {
        /** Rejects null name and turns a null detail into an empty string. */
        public Step {
            Objects.requireNonNull(name, "name");
            detail = detail == null ? "" : detail;
        }
    }

    private final String operation;
    private final OperationOutcome outcome;
    private final String summary;
    private final List<Step> steps;
    private final List<String> warnings;
    private final Duration duration;

    /**
     * @param operation the operation name
     * @param success whether it succeeded
     * @param summary one line saying what happened
     * @param steps the steps taken, in order
     * @param warnings anything the operator should look at even on success
     * @param duration the wall time of the whole operation
     */
    public OperationResult(String operation, boolean success, String summary, List<Step> steps,
                           List<String> warnings, Duration duration) {
        this(operation, success ? OperationOutcome.SUCCEEDED : OperationOutcome.FAILED, summary, steps, warnings,
                duration);
    }

    /**
     * @param operation the operation name
     * @param outcome how it ended ({@link OperationOutcome#REFUSED} is thrown, never returned)
     * @param summary one line saying what happened
     * @param steps the steps taken, in order
     * @param warnings anything the operator should look at even on success
     * @param duration the wall time of the whole operation
     */
    public OperationResult(String operation, OperationOutcome outcome, String summary, List<Step> steps,
                           List<String> warnings, Duration duration) {
        this.operation = Objects.requireNonNull(operation, "operation");
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.summary = Objects.requireNonNull(summary, "summary");
        this.steps = List.copyOf(steps);
        this.warnings = List.copyOf(warnings);
        this.duration = Objects.requireNonNull(duration, "duration");
    }

    /** @return the operation name, e.g. {@code migrate} */
    public String operation() { return operation; }

    /** @return whether the operation succeeded (for checks: whether nothing was found wrong) */
    public boolean success() { return outcome == OperationOutcome.SUCCEEDED; }

    /** @return how it ended: succeeded, answered "no" (a check), or failed */
    public OperationOutcome outcome() { return outcome; }

    /**
     * @param other the outcome decided by {@link Operations} for this kind of operation
     * @return this result with that outcome
     */
    OperationResult withOutcome(OperationOutcome other) {
        return other == outcome ? this : new OperationResult(operation, other, summary, steps, warnings, duration);
    }

    /** @return one line saying what happened */
    public String summary() { return summary; }

    /** @return the steps taken, in order (profile: slowest first) */
    public List<Step> steps() { return steps; }

    /** @return warnings, possibly empty */
    public List<String> warnings() { return warnings; }

    /** @return the wall time of the whole operation */
    public Duration duration() { return duration; }

    /** @return the result as a few aligned lines for a terminal */
    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(operation).append(": ").append(success() ? "OK" : "FAILED").append(" - ").append(summary)
                .append(" (").append(duration.toMillis()).append(" ms)\n");
        int width = 0;
        for (Step s : steps) {
            width = Math.max(width, s.name().length());
        }
        width = Math.min(width, 60);
        for (Step s : steps) {
            b.append("  ").append(pad(s.name(), width)).append(' ')
                    .append(String.format("%8d ms", s.millis()));
            if (!s.detail().isEmpty()) {
                b.append("  ").append(s.detail().replace("\n", "\n      "));
            }
            b.append('\n');
        }
        for (String w : warnings) {
            b.append("  warning: ").append(w.replace("\n", "\n      ")).append('\n');
        }
        return b.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    @Override
    public String toString() {
        return toText();
    }

    /** Collects steps and warnings while an operation runs. Not thread-safe. */
    static final class Builder {
        private final String operation;
        private final long startNanos = System.nanoTime();
        private final List<Step> steps = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();

        Builder(String operation) {
            this.operation = operation;
        }

        Builder step(String name, long millis, String detail) {
            steps.add(new Step(name, millis, detail));
            return this;
        }

        /** Runs a timed step and records it with the detail it returns. */
        <E extends Exception> String timed(String name, CheckedSupplier<String, E> work) throws E {
            long t0 = System.nanoTime();
            String detail = work.get();
            steps.add(new Step(name, (System.nanoTime() - t0) / 1_000_000, detail));
            return detail;
        }

        Builder warn(String warning) {
            warnings.add(warning);
            return this;
        }

        List<Step> steps() { return steps; }

        String operation() { return operation; }

        OperationResult done(boolean success, String summary) {
            return new OperationResult(operation, success, summary, steps, warnings,
                    Duration.ofNanos(System.nanoTime() - startNanos));
        }
    }

    /** A supplier that may throw. */
    @FunctionalInterface
    interface CheckedSupplier<T, E extends Exception> {
        T get() throws E;
    }
}
