package dev.dbagent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How reads are routed to the replicas of one database.
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxLag a replica lagging more than this is not used for reads ({@code replica.maxLagMillis})
 * @param readYourWrites after a write, reads of the same caller go to the primary for this long
 *     ({@code readYourWritesMillis}); zero = off
 * @param balance how reads are spread over healthy replicas ({@code replica.balance})
 */
public record ReplicaSettings(Duration maxLag, Duration readYourWrites, ReplicaBalance balance) {
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @param maxLag a replica lagging more than this is not used for reads ({@code replica.maxLagMillis})
     * @param readYourWrites after a write, reads of the same caller go to the primary for this long ({@code readYourWritesMillis}); zero = off
     * @param balance how reads are spread over healthy replicas ({@code replica.balance})
     * @throws NullPointerException if a reference component is null
     */
    public ReplicaSettings {
        Objects.requireNonNull(maxLag, "maxLag");
        Objects.requireNonNull(readYourWrites, "readYourWrites");
        Objects.requireNonNull(balance, "balance");
    }
}
