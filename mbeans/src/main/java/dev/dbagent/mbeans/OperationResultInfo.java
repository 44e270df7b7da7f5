package dev.dbagent.mbeans;

import java.util.Arrays;
import java.util.Objects;
import javax.management.ConstructorParameters;

/**
 * The result of an {@link OperationsMXBean} operation that ran to completion.
 *
 * <p>{@code success} is false when the operation did its job and the answer is "no" — validate
 * found invalid changesets, verify or drift found differences, health is not UP, status shows
 * pending migrations. An operation that could not do its job at all throws instead (see
 * {@link OperationsMXBean}).
 *
 * <p>Immutable and thread-safe (arrays are copied in and out). Maps to a {@code CompositeData}
 * with items {@code operation}, {@code success}, {@code summary}, {@code text},
 * {@code durationMillis}, {@code steps} (array of {@link StepInfo} composites) and
 * {@code warnings} ({@code String[]}).
 */
public final class OperationResultInfo {
    private final String operation;
    private final boolean success;
    private final String summary;
    private final String text;
    private final long durationMillis;
    private final StepInfo[] steps;
    private final String[] warnings;

    /**
     * @param operation the operation's name as invoked, e.g. {@code migrate}
     * @param success whether the answer is "yes" (see the class comment)
     * @param summary one line for a log or a notification, e.g. {@code "applied 3 changesets"}
     * @param text the full human-readable report, several lines, as a shell user would want it
     * @param durationMillis how long the operation took, in milliseconds
     * @param steps what it did, in order
     * @param warnings things the operator should know that did not make it fail
     * @throws NullPointerException if an argument or array element is null
     */
    @ConstructorParameters({"operation", "success", "summary", "text", "durationMillis", "steps", "warnings"})
    public OperationResultInfo(String operation, boolean success, String summary, String text, long durationMillis,
            StepInfo[] steps, String[] warnings) {
        this.operation = Objects.requireNonNull(operation, "operation");
        this.success = success;
        this.summary = Objects.requireNonNull(summary, "summary");
        this.text = Objects.requireNonNull(text, "text");
        this.durationMillis = durationMillis;
        this.steps = HealthReportInfo.copyOf(steps, "steps");
        this.warnings = HealthReportInfo.copyOf(warnings, "warnings");
    }

    /** @return the operation's name as invoked */
    public String getOperation() {
        return operation;
    }

    /** @return whether the answer is "yes" */
    public boolean isSuccess() {
        return success;
    }

    /** @return one line for a log or a notification */
    public String getSummary() {
        return summary;
    }

    /** @return the full human-readable report, several lines */
    public String getText() {
        return text;
    }

    /** @return how long the operation took, in milliseconds */
    public long getDurationMillis() {
        return durationMillis;
    }

    /** @return a copy of the steps, in order */
    public StepInfo[] getSteps() {
        return steps.clone();
    }

    /** @return a copy of the warnings */
    public String[] getWarnings() {
        return warnings.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OperationResultInfo other
                && operation.equals(other.operation)
                && success == other.success
                && summary.equals(other.summary)
                && text.equals(other.text)
                && durationMillis == other.durationMillis
                && Arrays.equals(steps, other.steps)
                && Arrays.equals(warnings, other.warnings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(operation, success, summary, text, durationMillis, Arrays.hashCode(steps),
                Arrays.hashCode(warnings));
    }

    @Override
    public String toString() {
        return "OperationResultInfo[" + operation + (success ? " succeeded" : " failed") + " in " + durationMillis
                + " ms: " + summary + "]";
    }
}
