package dev.dbagent.health;

/** Overall or per-check health, ordered from best to worst. */
public enum HealthStatus {
    /** Everything works as configured. */
    UP,
    /** Works, but something needs attention (a half-open breaker, a long transaction, lagging replicas). */
    DEGRADED,
    /** Does not work: the database cannot be reached or calls are being rejected. */
    DOWN;

    /**
     * @param other another status
     * @return the worse of the two
     */
    public HealthStatus worst(HealthStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
