package dev.dbagent.internal.pool;

import dev.dbagent.Intent;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} over one database's router, for applications that use JDBC, JPA, jOOQ or
 * Spring's JdbcTemplate instead of Jdbi. Each {@link #getConnection()} is routed for a fixed
 * {@link Intent} and borrowed through the chosen pool's breaker, exactly as the service's calls
 * are: an open breaker fails fast with {@link dev.dbagent.BreakerOpenException}, a full pool with
 * {@link dev.dbagent.PoolExhaustedException}. Closing the connection returns it to its pool.
 *
 * <p>A {@link Intent#READ} connection has a read-only session: the server refuses writes on it.
 * The agent's retries and service breaker do not apply here: they belong to
 * {@code DatabaseService}, which knows where a transaction's COMMIT was sent.
 *
 * <p>Thread-safe.
 */
public final class RoutedDataSource implements DataSource {
    private final DatabaseRouter router;
    private final Intent intent;

    /**
     * @param router the database's router
     * @param intent where every connection is routed
     */
    public RoutedDataSource(DatabaseRouter router, Intent intent) {
        this.router = Objects.requireNonNull(router, "router");
        this.intent = Objects.requireNonNull(intent, "intent");
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = router.acquire(intent).connection();
        if (intent == Intent.READ) {
            try {
                c.setReadOnly(true);
            } catch (SQLException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    /** Refused: the agent's pools log in with the configured credentials only. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the agent's pools connect with the configured credentials only");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // logging goes through SLF4J
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        throw new SQLFeatureNotSupportedException("set loginTimeoutSeconds in the database's configuration");
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("dbagent logs through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper for " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }

    @Override
    public String toString() {
        return "RoutedDataSource[" + router.database() + ", " + intent + "]";
    }
}
