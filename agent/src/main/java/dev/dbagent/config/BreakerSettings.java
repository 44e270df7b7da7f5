package dev.dbagent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Circuit breaker settings (count-based sliding window, as Resilience4j's
 * {@code CircuitBreakerConfig}). Each database has a pool-layer and a service-layer breaker; keys
 * {@code breaker.*} apply to both, {@code breaker.pool.*} and {@code breaker.service.*} override
 * one layer.
 *
 * <p>Immutable and thread-safe.
 *
 * @param failureRateThreshold failure percentage (1-100) at which the breaker opens
 * @param minimumCalls calls recorded before the failure rate is evaluated
 * @param slidingWindowSize number of most recent calls the failure rate is computed over
 * @param waitOpen how long the breaker stays open before letting trial calls through
 * @param halfOpenCalls trial calls permitted while half-open
 * @param slowCall a call slower than this counts as slow
 */
public record BreakerSettings(int failureRateThreshold, int minimumCalls, int slidingWindowSize,
        Duration waitOpen, int halfOpenCalls, Duration slowCall) {
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @param failureRateThreshold failure percentage (1-100) at which the breaker opens
     * @param minimumCalls calls recorded before the failure rate is evaluated
     * @param slidingWindowSize number of most recent calls the failure rate is computed over
     * @param waitOpen how long the breaker stays open before letting trial calls through
     * @param halfOpenCalls trial calls permitted while half-open
     * @param slowCall a call slower than this counts as slow
     * @throws NullPointerException if a reference component is null
     */
    public BreakerSettings {
        Objects.requireNonNull(waitOpen, "waitOpen");
        Objects.requireNonNull(slowCall, "slowCall");
    }
}
