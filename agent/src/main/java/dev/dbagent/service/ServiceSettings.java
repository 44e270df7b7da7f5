package dev.dbagent.service;

import dev.dbagent.config.BreakerSettings;
import dev.dbagent.config.RetrySettings;
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
        if (slowQueryThreshold.isNegative() || slowQueryThreshold.isZero()) {
            throw new IllegalArgumentException("slowQueryThreshold must be positive, but was " + slowQueryThreshold);
        }
        if (slowQueryBuffer < 1) {
            throw new IllegalArgumentException("slowQueryBuffer must be >= 1, but was " + slowQueryBuffer);
        }
    }

    /**
     * @return 500 ms slow-query threshold, 100 slow calls kept; 3 attempts with 10-200 ms backoff
     *     within 5 s; breaker opens at 50% of 20 calls (at least 10), waits 30 s, 3 probes
     */
    public static ServiceSettings defaults() {
        return new ServiceSettings(Duration.ofMillis(500), 100,
                new RetrySettings(3, Duration.ofMillis(10), Duration.ofMillis(200), Duration.ofSeconds(5)),
                new BreakerSettings(50, 10, 20, Duration.ofSeconds(30), 3, Duration.ofSeconds(60)));
    }
}
