package dev.dbagent.health;

/**
 * The overall status changed between two runs. Immutable.
 *
 * @param previous the status of the previous report, or null for the monitor's first report
 * @param current the new status
 * @param report the report that changed it
 */
public record HealthStatusChange(HealthStatus previous, HealthStatus current, HealthReport report) {

    /** @return e.g. {@code UP -> DOWN}, or {@code (none) -> UP} for the first report */
    public String toText() {
        return (previous == null ? "(none)" : previous.name()) + " -> " + current;
    }
}
