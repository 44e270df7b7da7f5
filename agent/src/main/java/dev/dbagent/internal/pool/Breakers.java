package dev.dbagent.internal.pool;

import dev.dbagent.BreakerOpenException;
import dev.dbagent.config.BreakerSettings;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;

/**
 * The one way dbagent configures a Resilience4j circuit breaker, for both layers: a count-based
 * window that records infrastructure failures only (DESIGN.md rule 1) and ignores rejections by
 * another breaker.
 */
public final class Breakers {
    private Breakers() {}

    /**
     * @param s the validated breaker settings of one layer
     * @param clock the clock of the open-state wait
     * @return the Resilience4j configuration
     */
    public static CircuitBreakerConfig config(BreakerSettings s, Clock clock) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(s.slidingWindowSize())
                .minimumNumberOfCalls(s.minimumCalls())
                .failureRateThreshold(s.failureRateThreshold())
                .waitDurationInOpenState(s.waitOpen())
                .permittedNumberOfCallsInHalfOpenState(s.halfOpenCalls())
                .slowCallDurationThreshold(s.slowCall())
                .slowCallRateThreshold(100)
                .recordException(Failures::isInfrastructure)
                .ignoreException(t -> t instanceof BreakerOpenException)
                .clock(clock)
                .build();
    }
}
