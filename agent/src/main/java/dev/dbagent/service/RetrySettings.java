package dev.dbagent.service;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link DatabaseService} retries calls that are safe to repeat: exponential backoff with
 * jitter, bounded both in attempts and in total time. Immutable and thread-safe.
 *
 * @param maxAttempts attempts including the first, at least 1 (1 disables retries)
 * @param initialBackoff wait before the first retry, positive
 * @param multiplier growth factor of the wait per retry, at least 1.0
 * @param jitter randomization factor in [0, 1): each wait is drawn from
 *     {@code wait * (1 +- jitter)}
 * @param maxBackoff upper bound of a single wait, at least {@code initialBackoff}
 * @param maxTotal total time budget of one call including all attempts and waits, positive; no
 *     retry starts once it is spent, and a wait is cut short to fit in it
 */
public record RetrySettings(int maxAttempts, Duration initialBackoff, double multiplier, double jitter,
                            Duration maxBackoff, Duration maxTotal) {

    /**
     * Validates the values.
     *
     * @throws IllegalArgumentException naming the offending field and value
     *
     * @param maxAttempts attempts including the first, at least 1 (1 disables retries)
     * @param initialBackoff wait before the first retry, positive
     * @param multiplier growth factor of the wait per retry, at least 1.0
     * @param jitter randomization factor in [0, 1): each wait is drawn from {@code wait * (1 +- jitter)}
     * @param maxBackoff upper bound of a single wait, at least {@code initialBackoff}
     * @param maxTotal total time budget of one call including all attempts and waits, positive; no retry starts once it is spent, and a wait is cut short to fit in it
     */
    public RetrySettings {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxTotal, "maxTotal");
        require(maxAttempts >= 1, "maxAttempts must be >= 1, but was " + maxAttempts);
        require(!initialBackoff.isNegative() && !initialBackoff.isZero(),
                "initialBackoff must be positive, but was " + initialBackoff);
        require(multiplier >= 1.0, "multiplier must be >= 1.0, but was " + multiplier);
        require(jitter >= 0.0 && jitter < 1.0, "jitter must be in [0, 1), but was " + jitter);
        require(maxBackoff.compareTo(initialBackoff) >= 0,
                "maxBackoff must be >= initialBackoff (" + initialBackoff + "), but was " + maxBackoff);
        require(!maxTotal.isNegative() && !maxTotal.isZero(), "maxTotal must be positive, but was " + maxTotal);
    }

    /**
     * Settings with the usual curve: each wait doubles, with 50% jitter.
     *
     * @param maxAttempts attempts including the first, at least 1
     * @param initialBackoff wait before the first retry, positive
     * @param maxBackoff upper bound of a single wait, at least {@code initialBackoff}
     * @param maxTotal total time budget of one call, positive
     * @throws IllegalArgumentException naming the offending field and value
     */
    public RetrySettings(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxTotal) {
        this(maxAttempts, initialBackoff, 2.0, 0.5, maxBackoff, maxTotal);
    }

    /** @return 3 attempts, 50 ms doubling with 50% jitter, at most 1 s per wait and 10 s in total */
    public static RetrySettings defaults() {
        return new RetrySettings(3, Duration.ofMillis(50), 2.0, 0.5, Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    /** @return settings that never retry */
    public static RetrySettings none() {
        return new RetrySettings(1, Duration.ofMillis(1), 1.0, 0.0, Duration.ofMillis(1), Duration.ofSeconds(1));
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
