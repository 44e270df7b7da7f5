package dev.dbagent.health;

/**
 * One thing {@link HealthMonitor} checks. Implementations should bound their own blocking (a
 * query timeout, the pool's max wait) and should not throw; the monitor turns an exception into
 * a DOWN result anyway. Must be thread-safe: on-demand and scheduled runs may use it from
 * different threads (never at the same time).
 */
public interface HealthCheck {

    /** @return a short stable name, e.g. {@code orders.roundTrip}; unique within a monitor */
    String name();

    /**
     * Runs the check.
     *
     * @return what was found; the latency is filled in by the monitor
     */
    CheckResult check();
}
