package dev.dbagent.mbeans;

/**
 * One circuit breaker. A {@code layer=pool} breaker guards connection acquisition from one pool
 * ({@link ObjectNames#poolBreaker(String, String, String)}); a {@code layer=service} breaker
 * guards a database's service calls ({@link ObjectNames#serviceBreaker(String, String)}). Both
 * count infrastructure failures only.
 *
 * <p>States are Resilience4j's: {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN},
 * {@code FORCED_OPEN}, {@code DISABLED}, {@code METRICS_ONLY}. Every state change emits a
 * {@link Notifications#BREAKER_STATE} notification.
 *
 * <p>Attributes never block. The operations change the state at once and are safe to call from
 * any thread; each returns the transition it made, e.g. {@code "CLOSED -> FORCED_OPEN"}.
 */
public interface CircuitBreakerMXBean {

    /** @return the configured database name */
    String getDatabase();

    /** @return {@code pool} or {@code service} */
    String getLayer();

    /** @return for {@code layer=pool}, the pool's role ({@code primary} or {@code replica-N}); {@code ""} for {@code layer=service} */
    String getRole();

    /** @return the current state, e.g. {@code CLOSED} */
    String getState();

    /** @return failure rate over the sliding window in percent, or {@code -1} if too few calls were recorded */
    float getFailureRatePercent();

    /** @return slow-call rate over the sliding window in percent, or {@code -1} if too few calls were recorded */
    float getSlowCallRatePercent();

    /** @return calls in the sliding window */
    int getBufferedCalls();

    /** @return failed calls in the sliding window */
    int getFailedCalls();

    /** @return successful calls in the sliding window */
    int getSuccessfulCalls();

    /** @return calls rejected because the breaker was open, since the last reset */
    long getNotPermittedCalls();

    /** @return the last transition, e.g. {@code "CLOSED -> OPEN"}; {@code ""} if none yet */
    String getLastTransition();

    /** @return when the last transition happened, ISO-8601 UTC; {@code ""} if none yet */
    String getLastTransitionAt();

    /**
     * @return why the last transition happened, e.g. {@code "failure rate 60.0% >= 50.0%"} or
     *     {@code "forceOpen by jmx:alice"}; {@code ""} if none yet
     */
    String getLastTransitionCause();

    /**
     * Opens the breaker and keeps it open until {@link #reset()}: every call fails fast. For
     * taking a database out of use during maintenance.
     *
     * @return the transition made, e.g. {@code "CLOSED -> FORCED_OPEN"}
     */
    @Impact(Impact.Kind.ACTION)
    String forceOpen();

    /**
     * Returns the breaker to {@code CLOSED} and clears its sliding window, from any state.
     *
     * @return the transition made, e.g. {@code "FORCED_OPEN -> CLOSED"}
     */
    @Impact(Impact.Kind.ACTION)
    String reset();

    /**
     * Disables the breaker: it permits every call and records nothing until {@link #reset()}.
     *
     * @return the transition made, e.g. {@code "OPEN -> DISABLED"}
     */
    @Impact(Impact.Kind.ACTION)
    String disable();

    /**
     * Puts the breaker in metrics-only mode: it permits every call but keeps recording, so its
     * rates stay visible, until {@link #reset()}.
     *
     * @return the transition made, e.g. {@code "CLOSED -> METRICS_ONLY"}
     */
    @Impact(Impact.Kind.ACTION)
    String metricsOnly();
}
