package dev.dbagent.config;

import java.util.Locale;
import java.util.Optional;

/**
 * What stands between the agent and PostgreSQL on a database's {@code url}
 * ({@code dbagent.db.<name>.pooler}).
 *
 * <p>Behind a pooler in transaction mode (PgBouncer's {@code pool_mode = transaction}) a client
 * session is lent a server connection for one transaction only, so nothing may outlive a
 * transaction on the server: the agent then uses no server-side prepared statements, makes reads
 * read-only per transaction ({@code BEGIN READ ONLY}) instead of per session, does not send the
 * search path as a startup parameter, and runs operations, the migration lock and the audit trail
 * over {@code directUrl}, a connection to the server itself.
 *
 * <p>Immutable and thread-safe.
 */
public enum Pooler {
    /** The URL is the server itself, or a pooler in session mode: session state is safe. */
    NONE,
    /** The URL is a pooler in transaction mode: no state may outlive a transaction. */
    TRANSACTION;

    /** @return the configuration value, e.g. {@code transaction} */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param value a configuration value, case-insensitive
     * @return the pooler, or empty if unknown
     */
    public static Optional<Pooler> parse(String value) {
        for (Pooler p : values()) {
            if (p.value().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return value();
    }
}
