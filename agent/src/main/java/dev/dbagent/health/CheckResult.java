package dev.dbagent.health;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one health check found. Immutable.
 *
 * @param status the check's status
 * @param latency how long the check took (set by {@link HealthMonitor}, which measures it)
 * @param message one line describing the finding, e.g. {@code SELECT 1 in 3 ms on primary}
 * @param issues findings an operator should act on, possibly empty
 */
public record CheckResult(HealthStatus status, Duration latency, String message, List<Issue> issues) {

    /**
     * Validates and copies.
     *
     * @param status the check's status
     * @param latency how long the check took (set by {@link HealthMonitor}, which measures it)
     * @param message one line describing the finding, e.g. {@code SELECT 1 in 3 ms on primary}
     * @param issues findings an operator should act on, possibly empty
     */
    public CheckResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(message, "message");
        issues = List.copyOf(issues);
    }

    /**
     * @param message what was checked
     * @return an UP result without issues
     */
    public static CheckResult up(String message) {
        return new CheckResult(HealthStatus.UP, Duration.ZERO, message, List.of());
    }

    /**
     * @param message summary
     * @param issues what needs attention
     * @return a DEGRADED result
     */
    public static CheckResult degraded(String message, List<Issue> issues) {
        return new CheckResult(HealthStatus.DEGRADED, Duration.ZERO, message, issues);
    }

    /**
     * @param message summary
     * @param issues what is broken
     * @return a DOWN result
     */
    public static CheckResult down(String message, List<Issue> issues) {
        return new CheckResult(HealthStatus.DOWN, Duration.ZERO, message, issues);
    }

    /**
     * @param value the measured latency
     * @return a copy with that latency
     */
    public CheckResult withLatency(Duration value) {
        return new CheckResult(status, value, message, issues);
    }
}
