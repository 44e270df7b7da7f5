package dev.dbagent.mbeans;

import java.util.Objects;
import javax.management.ConstructorParameters;

/**
 * A problem the last health run found, as listed by {@link HealthMXBean#getIssues()} and
 * {@link HealthReportInfo#getIssues()}.
 *
 * <p>Immutable and thread-safe. Maps to a {@code CompositeData} with items {@code severity},
 * {@code check}, {@code message}.
 */
public final class IssueInfo {
    private final String severity;
    private final String check;
    private final String message;

    /**
     * @param severity the upper-case severity name the agent's health module assigned, e.g.
     *     {@code WARNING} or {@code CRITICAL}
     * @param check the name of the check that raised it (a {@link HealthCheckInfo#getName()})
     * @param message what is wrong and, where known, what to do about it
     * @throws NullPointerException if an argument is null
     */
    @ConstructorParameters({"severity", "check", "message"})
    public IssueInfo(String severity, String check, String message) {
        this.severity = Objects.requireNonNull(severity, "severity");
        this.check = Objects.requireNonNull(check, "check");
        this.message = Objects.requireNonNull(message, "message");
    }

    /** @return the upper-case severity name */
    public String getSeverity() {
        return severity;
    }

    /** @return the name of the check that raised it */
    public String getCheck() {
        return check;
    }

    /** @return what is wrong and what to do about it */
    public String getMessage() {
        return message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IssueInfo other
                && severity.equals(other.severity)
                && check.equals(other.check)
                && message.equals(other.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(severity, check, message);
    }

    @Override
    public String toString() {
        return severity + " " + check + ": " + message;
    }
}
