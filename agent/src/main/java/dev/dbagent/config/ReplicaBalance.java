package dev.dbagent.config;

import java.util.Locale;
import java.util.Optional;

/**
 * How reads are spread over the healthy replicas of a database.
 *
 * <p>Immutable and thread-safe.
 */
public enum ReplicaBalance {
    /** Each read goes to the next healthy replica in turn. */
    ROUND_ROBIN,
    /** Each read goes to the healthy replica with the fewest borrowed connections. */
    LEAST_BUSY;

    /** @return the configuration value, {@code round-robin} or {@code least-busy} */
    public String value() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @param value {@code round-robin} or {@code least-busy}, case-insensitive
     * @return the strategy, or empty if unknown
     */
    public static Optional<ReplicaBalance> parse(String value) {
        for (ReplicaBalance b : values()) {
            if (b.value().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return value();
    }
}
