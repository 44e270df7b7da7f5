package dev.dbagent.internal.pool;

import dev.dbagent.BreakerOpenException;
import dev.dbagent.PoolExhaustedException;
import dev.dbagent.config.BreakerSettings;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
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
                .ignoreException(t -> t instanceof BreakerOpenException || t instanceof PoolExhaustedException)
                .clock(clock)
                .build();
    }

    /**
     * The state to report for a call the breaker just rejected. Only OPEN, FORCED_OPEN and
     * HALF_OPEN (all trial calls taken) reject; if the state read after the rejection is another
     * one, the breaker moved on in between, and it was HALF_OPEN then (an open breaker cannot
     * close without passing through half-open, nor can a manual reset be told apart here).
     *
     * @param now the state read after the rejection
     * @return a state that rejects calls
     */
    public static CircuitBreaker.State rejectingState(CircuitBreaker.State now) {
        return switch (now) {
            case OPEN, FORCED_OPEN, HALF_OPEN -> now;
            default -> CircuitBreaker.State.HALF_OPEN;
        };
    }
}
