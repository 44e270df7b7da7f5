package dev.dbagent.health;

import java.time.Duration;
import java.util.Objects;

/**
 * Schedule and thresholds of the health checks. Immutable.
 *
 * @param interval time between scheduled runs, positive
 * @param roundTripTimeout query timeout of the round-trip check, at least one second (JDBC's
 *     granularity)
 * @param longTransaction an active session whose transaction (or single statement) has been open
 *     longer is reported
 * @param idleInTransaction a session idle inside a transaction longer is reported
 */
public record HealthSettings(Duration interval, Duration roundTripTimeout, Duration longTransaction,
                             Duration idleInTransaction) {

    /**
     * Validates the values.
     *
     * @throws IllegalArgumentException naming the offending field and value
     *
     * @param interval time between scheduled runs, positive
     * @param roundTripTimeout query timeout of the round-trip check, at least one second (JDBC's granularity)
     * @param longTransaction an active session whose transaction (or single statement) has been open longer is reported
     * @param idleInTransaction a session idle inside a transaction longer is reported
     */
    public HealthSettings {
        positive("interval", interval);
        positive("roundTripTimeout", roundTripTimeout);
        positive("longTransaction", longTransaction);
        positive("idleInTransaction", idleInTransaction);
    }

    /** @return every 30 s, 5 s round trip, 60 s long transaction, 30 s idle in transaction */
    public static HealthSettings defaults() {
        return new HealthSettings(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(30));
    }

    private static void positive(String key, Duration d) {
        Objects.requireNonNull(d, key);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, but was " + d);
        }
    }
}
