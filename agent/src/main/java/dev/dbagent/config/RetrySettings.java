package dev.dbagent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Retry settings for calls that are safe to retry (exponential backoff with jitter, bounded in
 * attempts and total time).
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxAttempts attempts including the first ({@code retry.maxAttempts}); 1 = no retry
 * @param initialBackoff wait before the second attempt ({@code retry.initialBackoffMillis})
 * @param maxBackoff longest single wait, at least {@code initialBackoff} ({@code retry.maxBackoffMillis})
 * @param maxTotal no attempt starts later than this after the first ({@code retry.maxTotalMillis})
 */
public record RetrySettings(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxTotal) {
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @param maxAttempts attempts including the first ({@code retry.maxAttempts}); 1 = no retry
     * @param initialBackoff wait before the second attempt ({@code retry.initialBackoffMillis})
     * @param maxBackoff longest single wait, at least {@code initialBackoff} ({@code retry.maxBackoffMillis})
     * @param maxTotal no attempt starts later than this after the first ({@code retry.maxTotalMillis})
     * @throws NullPointerException if a reference component is null
     */
    public RetrySettings {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxTotal, "maxTotal");
    }
}
