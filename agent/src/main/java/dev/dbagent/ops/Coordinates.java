package dev.dbagent.ops;

import dev.dbagent.config.ConnectionSettings;
import dev.dbagent.config.JdbcUrls;
import dev.dbagent.config.SslMode;
import dev.dbagent.internal.pool.ConnectionFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Where the primary is and how to log in: a thin wrapper over the database's
 * {@link ConnectionFactory}, so operations, the audit trail and the migration probe connect
 * with the same TLS, timeouts, keep-alive and schema as the pools (DESIGN.md rule 8). Opens
 * plain, unpooled connections: operations must not take connections from the application's
 * pool, and the migration lock needs a connection of its own. The password never appears in
 * {@link #toString()}.
 */
final class Coordinates {
    private final ConnectionFactory factory;
    private final String database;

    /** Coordinates with pgJDBC's defaults for every connection setting (tests, tools). */
    Coordinates(String url, String user, String password) {
        this(url, user, password, null);
    }

    /**
     * @param settings the database's connection settings; null for pgJDBC's defaults with a
     *     10 s connect timeout
     */
    Coordinates(String url, String user, String password, ConnectionSettings settings) {
        this(url, user, () -> password, settings, null, null, null);
    }

    /**
     * @param settings the database's connection settings; null for pgJDBC's defaults with a
     *     10 s connect timeout
     * @param logicalName the database's configured name for application names, or null for the
     *     URL's database
     * @param agent the agent name, or null for application names without identity
     * @param instance the instance id; null exactly when {@code agent} is
     */
    Coordinates(String url, String user, Supplier<String> password, ConnectionSettings settings, String logicalName,
            String agent, String instance) {
        Objects.requireNonNull(url, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        this.database = databaseOf(url);
        ConnectionFactory f = new ConnectionFactory(logicalName != null ? logicalName : database, url, user, password,
                settings != null ? settings : new ConnectionSettings(Duration.ofSeconds(10), Duration.ZERO,
                        Duration.ofSeconds(10), true, SslMode.PREFER, "public"));
        this.factory = agent == null ? f : f.withIdentity(agent, instance);
    }

    /** The path part of {@code jdbc:postgresql://host:port/db?params}. */
    static String databaseOf(String url) {
        if (!url.startsWith(JdbcUrls.POSTGRES_PREFIX)) {
            throw new IllegalArgumentException("jdbcUrl must start with jdbc:postgresql://, but was " + JdbcUrls.mask(url));
        }
        String rest = url.substring(JdbcUrls.POSTGRES_PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("jdbcUrl names no database: " + JdbcUrls.mask(url));
        }
        String db = rest.substring(slash + 1);
        int q = db.indexOf('?');
        db = q < 0 ? db : db.substring(0, q);
        if (db.isEmpty()) {
            throw new IllegalArgumentException("jdbcUrl names no database: " + JdbcUrls.mask(url));
        }
        return db;
    }


    String database() { return database; }

    /** The same server's maintenance database {@code postgres}, used to create the database. */
    String maintenanceUrl() {
        String url = factory.url();
        String prefix = url.substring(0, url.indexOf('/', JdbcUrls.POSTGRES_PREFIX.length()) + 1);
        int q = url.indexOf('?');
        return prefix + "postgres" + (q < 0 ? "" : url.substring(q));
    }

    /**
     * A connection with every setting of the database, the socket timeout included.
     *
     * @param role what it is for ({@code ops}, {@code audit}, {@code health}, ...): the last part
     *     of its {@code application_name} {@code dbagent/<agent>/<instance>/<db>/<role>}
     */
    Connection open(String role) throws SQLException {
        return factory.open(factory.applicationName(role));
    }

    /** @return the {@code application_name} of this database's connections for {@code role} */
    String applicationName(String role) {
        return factory.applicationName(role);
    }

    /**
     * A connection for work that may legitimately block longer than the socket timeout: applying
     * a changelog (one statement may rebuild a large table) and waiting for the migration lock
     * (bounded by its own {@code lock_timeout}). Everything else is as {@link #open}; keep-alive
     * still detects a dead peer.
     */
    Connection openLongRunning(String role) throws SQLException {
        return factory.withSettings(factory.settings().withSocketTimeout(Duration.ZERO)).open(factory.applicationName(role));
    }

    /**
     * A connection on the simple query protocol, where {@code $n} in a statement's text is left
     * to the server (EXPLAIN (GENERIC_PLAN) needs that) instead of being bound by the driver.
     */
    Connection openSimpleProtocol(String role) throws SQLException {
        return factory.open(factory.applicationName(role), Map.of("preferQueryMode", "simple"));
    }

    Connection openMaintenance() throws SQLException {
        // the target database may not exist yet, and with it the schema of its search path
        return factory.withUrl(maintenanceUrl()).open(factory.applicationName("ops"));
    }

    @Override
    public String toString() {
        return factory.maskedUrl() + " as " + factory.user();
    }
}
