package dev.dbagent.mbeans;

import java.util.Arrays;
import java.util.Objects;
import javax.management.ConstructorParameters;

/**
 * The full result of one health run, as returned by {@link HealthMXBean#runNowReport()}.
 *
 * <p>Immutable and thread-safe (arrays are copied in and out). Maps to a {@code CompositeData}
 * with items {@code status}, {@code runAt}, {@code durationMillis}, {@code checks} (array of
 * {@link HealthCheckInfo} composites) and {@code issues} (array of {@link IssueInfo} composites).
 */
public final class HealthReportInfo {
    private final String status;
    private final String runAt;
    private final long durationMillis;
    private final HealthCheckInfo[] checks;
    private final IssueInfo[] issues;

    /**
     * @param status overall status: {@code UP}, {@code DEGRADED} or {@code DOWN}
     * @param runAt when the run started, ISO-8601 UTC
     * @param durationMillis how long the whole run took, in milliseconds
     * @param checks every check's result, in run order
     * @param issues every issue found, most severe first
     * @throws NullPointerException if an argument or array element is null
     */
    @ConstructorParameters({"status", "runAt", "durationMillis", "checks", "issues"})
    public HealthReportInfo(String status, String runAt, long durationMillis, HealthCheckInfo[] checks,
            IssueInfo[] issues) {
        this.status = Objects.requireNonNull(status, "status");
        this.runAt = Objects.requireNonNull(runAt, "runAt");
        this.durationMillis = durationMillis;
        this.checks = copyOf(checks, "checks");
        this.issues = copyOf(issues, "issues");
    }

    /** @return {@code UP}, {@code DEGRADED} or {@code DOWN} */
    public String getStatus() {
        return status;
    }

    /** @return when the run started, ISO-8601 UTC */
    public String getRunAt() {
        return runAt;
    }

    /** @return how long the whole run took, in milliseconds */
    public long getDurationMillis() {
        return durationMillis;
    }

    /** @return a copy of every check's result, in run order */
    public HealthCheckInfo[] getChecks() {
        return checks.clone();
    }

    /** @return a copy of every issue found, most severe first */
    public IssueInfo[] getIssues() {
        return issues.clone();
    }

    static <T> T[] copyOf(T[] values, String what) {
        Objects.requireNonNull(values, what);
        T[] copy = values.clone();
        for (int i = 0; i < copy.length; i++) {
            Objects.requireNonNull(copy[i], what + "[" + i + "]");
        }
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthReportInfo other
                && status.equals(other.status)
                && runAt.equals(other.runAt)
                && durationMillis == other.durationMillis
                && Arrays.equals(checks, other.checks)
                && Arrays.equals(issues, other.issues);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, runAt, durationMillis, Arrays.hashCode(checks), Arrays.hashCode(issues));
    }

    @Override
    public String toString() {
        return "HealthReportInfo[" + status + " at " + runAt + " in " + durationMillis + " ms, checks="
                + Arrays.toString(checks) + ", issues=" + Arrays.toString(issues) + "]";
    }
}
