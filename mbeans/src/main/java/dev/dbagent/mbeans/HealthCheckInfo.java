package dev.dbagent.mbeans;

import java.util.Objects;
import javax.management.ConstructorParameters;

/**
 * The result of one health check in the last health run, as listed by
 * {@link HealthMXBean#getChecks()} and {@link HealthReportInfo#getChecks()}.
 *
 * <p>Immutable and thread-safe. Maps to a {@code CompositeData} with items {@code name},
 * {@code status}, {@code latencyMillis}, {@code message}.
 */
public final class HealthCheckInfo {
    private final String name;
    private final String status;
    private final long latencyMillis;
    private final String message;

    /**
     * @param name the check's name, e.g. {@code main.primary.roundTrip} or {@code main.replicaLag}
     * @param status {@code UP}, {@code DEGRADED} or {@code DOWN}
     * @param latencyMillis how long the check took, in milliseconds
     * @param message what the check found, one line; {@code ""} if nothing to say
     * @throws NullPointerException if a String argument is null
     */
    @ConstructorParameters({"name", "status", "latencyMillis", "message"})
    public HealthCheckInfo(String name, String status, long latencyMillis, String message) {
        this.name = Objects.requireNonNull(name, "name");
        this.status = Objects.requireNonNull(status, "status");
        this.latencyMillis = latencyMillis;
        this.message = Objects.requireNonNull(message, "message");
    }

    /** @return the check's name */
    public String getName() {
        return name;
    }

    /** @return {@code UP}, {@code DEGRADED} or {@code DOWN} */
    public String getStatus() {
        return status;
    }

    /** @return how long the check took, in milliseconds */
    public long getLatencyMillis() {
        return latencyMillis;
    }

    /** @return what the check found, or {@code ""} */
    public String getMessage() {
        return message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthCheckInfo other
                && name.equals(other.name)
                && status.equals(other.status)
                && latencyMillis == other.latencyMillis
                && message.equals(other.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, status, latencyMillis, message);
    }

    @Override
    public String toString() {
        return name + " " + status + " (" + latencyMillis + " ms)" + (message.isEmpty() ? "" : ": " + message);
    }
}
