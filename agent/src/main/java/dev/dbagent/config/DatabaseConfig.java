package dev.dbagent.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the agent needs to manage one named database: its primary, its replicas, and the
 * pool, connection, routing, breaker, retry and slow-query settings. Keys
 * {@code dbagent.db.<name>.*}. Obtain validated instances from {@link AgentConfig#databases()}.
 *
 * <p>Immutable and thread-safe. {@link #toString()} masks URLs and never shows passwords.
 *
 * @param name the database name as first written (names compare case-insensitively)
 * @param url the primary's JDBC URL ({@code url})
 * @param user the user to connect as, if any ({@code user})
 * @param password the password, if any ({@code password})
 * @param replicas read replicas ordered by index, possibly empty
 * @param pool pool settings
 * @param connection pgJDBC connection settings
 * @param replicaRouting replica routing settings
 * @param poolBreaker breaker guarding connection acquisition
 * @param serviceBreaker breaker guarding service calls
 * @param retry retry settings
 * @param slowQueryThreshold a call slower than this is recorded as slow ({@code slowQueryMillis})
 * @param slowQueryBuffer slow queries kept in the ring buffer ({@code slowQueryBuffer})
 * @param migrate migration and catalogue settings ({@code migrate.*}, {@code verify.daos})
 * @param directUrl the server itself, bypassing a transaction-mode pooler on {@code url}: operations,
 *     the migration lock and the audit trail connect here ({@code directUrl}); empty = {@code url}
 */
public record DatabaseConfig(String name, String url, Optional<String> user, Optional<Secret> password,
        List<ReplicaConfig> replicas, PoolSettings pool, ConnectionSettings connection,
        ReplicaSettings replicaRouting, BreakerSettings poolBreaker, BreakerSettings serviceBreaker,
        RetrySettings retry, Duration slowQueryThreshold, int slowQueryBuffer, MigrateSettings migrate,
        Optional<String> directUrl) {
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @param name the database name as first written (names compare case-insensitively)
     * @param url the primary's JDBC URL ({@code url})
     * @param user the user to connect as, if any ({@code user})
     * @param password the password, if any ({@code password})
     * @param replicas read replicas ordered by index, possibly empty
     * @param pool pool settings
     * @param connection pgJDBC connection settings
     * @param replicaRouting replica routing settings
     * @param poolBreaker breaker guarding connection acquisition
     * @param serviceBreaker breaker guarding service calls
     * @param retry retry settings
     * @param slowQueryThreshold a call slower than this is recorded as slow ({@code slowQueryMillis})
     * @param slowQueryBuffer slow queries kept in the ring buffer ({@code slowQueryBuffer})
     * @param migrate migration and catalogue settings ({@code migrate.*}, {@code verify.daos})
     * @param directUrl the server itself for operations when {@code url} is a pooler; empty = {@code url}
     * @throws NullPointerException if a reference component is null
     */
    public DatabaseConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        replicas = List.copyOf(replicas);
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(replicaRouting, "replicaRouting");
        Objects.requireNonNull(poolBreaker, "poolBreaker");
        Objects.requireNonNull(serviceBreaker, "serviceBreaker");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(slowQueryThreshold, "slowQueryThreshold");
        Objects.requireNonNull(migrate, "migrate");
        Objects.requireNonNull(directUrl, "directUrl");
    }

    /**
     * A database whose operations connect to {@code url} like its pools (no {@code directUrl}).
     *
     * @param name the database name as first written (names compare case-insensitively)
     * @param url the primary's JDBC URL ({@code url})
     * @param user the user to connect as, if any ({@code user})
     * @param password the password, if any ({@code password})
     * @param replicas read replicas ordered by index, possibly empty
     * @param pool pool settings
     * @param connection pgJDBC connection settings
     * @param replicaRouting replica routing settings
     * @param poolBreaker breaker guarding connection acquisition
     * @param serviceBreaker breaker guarding service calls
     * @param retry retry settings
     * @param slowQueryThreshold a call slower than this is recorded as slow ({@code slowQueryMillis})
     * @param slowQueryBuffer slow queries kept in the ring buffer ({@code slowQueryBuffer})
     * @param migrate migration and catalogue settings ({@code migrate.*}, {@code verify.daos})
     * @throws NullPointerException if a reference component is null
     */
    public DatabaseConfig(String name, String url, Optional<String> user, Optional<Secret> password,
            List<ReplicaConfig> replicas, PoolSettings pool, ConnectionSettings connection,
            ReplicaSettings replicaRouting, BreakerSettings poolBreaker, BreakerSettings serviceBreaker,
            RetrySettings retry, Duration slowQueryThreshold, int slowQueryBuffer, MigrateSettings migrate) {
        this(name, url, user, password, replicas, pool, connection, replicaRouting, poolBreaker, serviceBreaker, retry,
                slowQueryThreshold, slowQueryBuffer, migrate, Optional.empty());
    }

    /**
     * Where operations, the migration lock and the audit trail connect: {@code directUrl} when
     * set (the server behind a transaction-mode pooler), else {@code url}.
     *
     * @return a JDBC URL; may hold credentials, never show it unmasked
     */
    public String operationsUrl() {
        return directUrl.orElse(url);
    }

    /**
     * The connection settings of the operations connections: those of {@code url}, except that
     * a {@code directUrl} reaches the server itself, where session state is safe.
     *
     * @return the settings for {@link #operationsUrl()}
     */
    public ConnectionSettings operationsConnection() {
        return directUrl.isPresent() ? connection.withPooler(Pooler.NONE) : connection;
    }

    /** @return the primary URL with credentials masked, safe to show */
    public String maskedUrl() {
        return JdbcUrls.mask(url);
    }

    @Override
    public String toString() {
        return "DatabaseConfig[name=" + name + ", url=" + JdbcUrls.mask(url) + ", user=" + user.orElse("")
                + ", password=" + (password.isPresent() ? "****" : "") + ", replicas=" + replicas
                + ", pool=" + pool + ", connection=" + connection + ", replicaRouting=" + replicaRouting
                + ", poolBreaker=" + poolBreaker + ", serviceBreaker=" + serviceBreaker + ", retry=" + retry
                + ", slowQueryThreshold=" + slowQueryThreshold + ", slowQueryBuffer=" + slowQueryBuffer + ", migrate=" + migrate
                + directUrl.map(d -> ", directUrl=" + JdbcUrls.mask(d)).orElse("") + "]";
    }
}
