package dev.dbagent.service;

import java.time.Duration;
import java.util.Objects;

/**
 * The service-level circuit breaker of one database: a count-based window over the last calls,
 * counting infrastructure failures only. Immutable and thread-safe.
 *
 * @param slidingWindowSize calls in the count-based window, at least 1
 * @param minimumNumberOfCalls calls needed before the failure rate is evaluated, at least 1
 * @param failureRateThreshold percentage of infrastructure failures that opens the breaker, in (0, 100]
 * @param waitInOpenState how long the breaker stays open before letting probe calls through, positive
 * @param permittedCallsInHalfOpenState probe calls in the half-open state, at least 1
 */
public record BreakerSettings(int slidingWindowSize, int minimumNumberOfCalls, float failureRateThreshold,
                              Duration waitInOpenState, int permittedCallsInHalfOpenState) {

    /**
     * Validates the values.
     *
     * @throws IllegalArgumentException naming the offending field and value
     *
     * @param slidingWindowSize calls in the count-based window, at least 1
     * @param minimumNumberOfCalls calls needed before the failure rate is evaluated, at least 1
     * @param failureRateThreshold percentage of infrastructure failures that opens the breaker, in (0, 100]
     * @param waitInOpenState how long the breaker stays open before letting probe calls through, positive
     * @param permittedCallsInHalfOpenState probe calls in the half-open state, at least 1
     */
    public BreakerSettings {
        Objects.requireNonNull(waitInOpenState, "waitInOpenState");
        RetrySettings.require(slidingWindowSize >= 1, "slidingWindowSize must be >= 1, but was " + slidingWindowSize);
        RetrySettings.require(minimumNumberOfCalls >= 1,
                "minimumNumberOfCalls must be >= 1, but was " + minimumNumberOfCalls);
        RetrySettings.require(failureRateThreshold > 0 && failureRateThreshold <= 100,
                "failureRateThreshold must be in (0, 100], but was " + failureRateThreshold);
        RetrySettings.require(!waitInOpenState.isNegative() && !waitInOpenState.isZero(),
                "waitInOpenState must be positive, but was " + waitInOpenState);
        RetrySettings.require(permittedCallsInHalfOpenState >= 1,
                "permittedCallsInHalfOpenState must be >= 1, but was " + permittedCallsInHalfOpenState);
    }

    /** @return a window of 20 calls, evaluated after 10, opening at 50%, open for 30 s, 3 probes */
    public static BreakerSettings defaults() {
        return new BreakerSettings(20, 10, 50f, Duration.ofSeconds(30), 3);
    }
}
