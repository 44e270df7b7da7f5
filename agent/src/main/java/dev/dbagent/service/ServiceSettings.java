package dev.dbagent.service;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one {@link DatabaseService}. Immutable and thread-safe; the agent builds it from
 * the validated configuration.
 *
 * @param slowQueryThreshold a call taking at least this long is recorded as slow, positive
 * @param slowQueryBuffer how many slow calls are kept (oldest dropped first), at least 1
 * @param retry retry policy
 * @param breaker service-level circuit breaker
 */
public record ServiceSettings(Duration slowQueryThreshold, int slowQueryBuffer, RetrySettings retry,
                              BreakerSettings breaker) {

    /**
     * Validates the values.
     *
     * @throws IllegalArgumentException naming the offending field and value
     *
     * @param slowQueryThreshold a call taking at least this long is recorded as slow, positive
     * @param slowQueryBuffer how many slow calls are kept (oldest dropped first), at least 1
     * @param retry retry policy
     * @param breaker service-level circuit breaker
     */
    public ServiceSettings {
        Objects.requireNonNull(slowQueryThreshold, "slowQueryThreshold");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(breaker, "breaker");
        RetrySettings.require(!slowQueryThreshold.isNegative() && !slowQueryThreshold.isZero(),
                "slowQueryThreshold must be positive, but was " + slowQueryThreshold);
        RetrySettings.require(slowQueryBuffer >= 1, "slowQueryBuffer must be >= 1, but was " + slowQueryBuffer);
    }

    /** @return 500 ms slow-query threshold, 100 slow calls kept, default retry and breaker */
    public static ServiceSettings defaults() {
        return new ServiceSettings(Duration.ofMillis(500), 100, RetrySettings.defaults(), BreakerSettings.defaults());
    }
}
