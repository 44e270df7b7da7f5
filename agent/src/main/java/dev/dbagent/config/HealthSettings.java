package dev.dbagent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Health monitor settings. Keys {@code dbagent.health.*}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param interval how often the health checks run ({@code health.intervalSeconds})
 * @param longTransaction a transaction open longer than this is reported ({@code health.longTransactionSeconds})
 * @param idleInTransaction a session idle in transaction longer than this is reported
 *     ({@code health.idleInTransactionSeconds})
 * @param saturationPercent pool use (active/maxTotal) at or above this percentage is reported
 *     ({@code health.saturationPercent})
 */
public record HealthSettings(Duration interval, Duration longTransaction, Duration idleInTransaction,
        int saturationPercent) {
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @param interval how often the health checks run ({@code health.intervalSeconds})
     * @param longTransaction a transaction open longer than this is reported ({@code health.longTransactionSeconds})
     * @param idleInTransaction a session idle in transaction longer than this is reported ({@code health.idleInTransactionSeconds})
     * @param saturationPercent pool use (active/maxTotal) at or above this percentage is reported ({@code health.saturationPercent})
     * @throws NullPointerException if a reference component is null
     */
    public HealthSettings {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(longTransaction, "longTransaction");
        Objects.requireNonNull(idleInTransaction, "idleInTransaction");
    }
}
