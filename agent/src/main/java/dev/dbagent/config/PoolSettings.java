package dev.dbagent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Connection pool settings for one database (applied to the primary and to every replica pool).
 * Keys {@code dbagent.db.<name>.pool.*}. Obtain validated instances from {@link AgentConfig};
 * the constructor only rejects nulls.
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxTotal most connections open at once ({@code pool.maxTotal})
 * @param minIdle idle connections kept open, at most {@code maxTotal} ({@code pool.minIdle})
 * @param maxWait how long a borrower waits for a connection before pool exhaustion ({@code pool.maxWaitMillis})
 * @param validationTimeout timeout of the validation query ({@code pool.validationTimeoutSeconds})
 * @param timeBetweenEvictionRuns period of the idle-connection evictor, zero = evictor off
 *     ({@code pool.timeBetweenEvictionRunsMillis})
 * @param minEvictableIdle how long a connection may sit idle before eviction ({@code pool.minEvictableIdleMillis})
 * @param maxConnLifetime longest life of a connection, zero = unlimited ({@code pool.maxConnLifetimeMillis})
 * @param statementCacheSize prepared statements cached per connection, zero = off ({@code pool.statementCacheSize})
 * @param abandonedTimeout a borrowed connection unused this long is reclaimed, zero = off
 *     ({@code pool.abandonedTimeoutSeconds})
 * @param logAbandoned log the borrower's stack trace when reclaiming an abandoned connection ({@code pool.logAbandoned})
 */
public record PoolSettings(int maxTotal, int minIdle, Duration maxWait, Duration validationTimeout,
        Duration timeBetweenEvictionRuns, Duration minEvictableIdle, Duration maxConnLifetime,
        int statementCacheSize, Duration abandonedTimeout, boolean logAbandoned) {
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @param maxTotal most connections open at once ({@code pool.maxTotal})
     * @param minIdle idle connections kept open, at most {@code maxTotal} ({@code pool.minIdle})
     * @param maxWait how long a borrower waits for a connection before pool exhaustion ({@code pool.maxWaitMillis})
     * @param validationTimeout timeout of the validation query ({@code pool.validationTimeoutSeconds})
     * @param timeBetweenEvictionRuns period of the idle-connection evictor, zero = evictor off ({@code pool.timeBetweenEvictionRunsMillis})
     * @param minEvictableIdle how long a connection may sit idle before eviction ({@code pool.minEvictableIdleMillis})
     * @param maxConnLifetime longest life of a connection, zero = unlimited ({@code pool.maxConnLifetimeMillis})
     * @param statementCacheSize prepared statements cached per connection, zero = off ({@code pool.statementCacheSize})
     * @param abandonedTimeout a borrowed connection unused this long is reclaimed, zero = off ({@code pool.abandonedTimeoutSeconds})
     * @param logAbandoned log the borrower's stack trace when reclaiming an abandoned connection ({@code pool.logAbandoned})
     * @throws NullPointerException if a reference component is null
     */
    public PoolSettings {
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(validationTimeout, "validationTimeout");
        Objects.requireNonNull(timeBetweenEvictionRuns, "timeBetweenEvictionRuns");
        Objects.requireNonNull(minEvictableIdle, "minEvictableIdle");
        Objects.requireNonNull(maxConnLifetime, "maxConnLifetime");
        Objects.requireNonNull(abandonedTimeout, "abandonedTimeout");
    }
}
