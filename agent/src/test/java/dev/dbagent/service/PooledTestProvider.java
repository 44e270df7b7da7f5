package dev.dbagent.service;

import dev.dbagent.BreakerOpenException;
import dev.dbagent.PoolExhaustedException;
import dev.dbagent.internal.pool.ConnectionProvider;
import dev.dbagent.Intent;
import dev.dbagent.internal.pool.RoutedConnection;
import dev.dbagent.testing.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * A real connection provider for tests: a DBCP2 pool on the test database, which can be pointed
 * at another host and port (a closed port, a netcrusher proxy) while running. Role is always
 * {@code primary}. Thread-safe.
 */
public final class PooledTestProvider implements ConnectionProvider, AutoCloseable {
    private final TestDatabase db;
    private final int maxTotal;
    private final Duration maxWait;
    private final AtomicReference<BasicDataSource> pool = new AtomicReference<>();
    private volatile boolean breakerOpen;

    private PooledTestProvider(TestDatabase db, String host, int port, int maxTotal, Duration maxWait) {
        this.db = db;
        this.maxTotal = maxTotal;
        this.maxWait = maxWait;
        pointAt(host, port);
    }

    /**
     * @param db the test database
     * @param maxTotal pool size
     * @return a provider connected directly to the test server
     */
    public static PooledTestProvider direct(TestDatabase db, int maxTotal) {
        return new PooledTestProvider(db, db.server().host(), db.server().port(), maxTotal, Duration.ofSeconds(5));
    }

    /**
     * @param db the test database
     * @param maxTotal pool size
     * @param maxWait how long a borrower waits for a free connection
     * @return a provider connected directly to the test server
     */
    public static PooledTestProvider direct(TestDatabase db, int maxTotal, Duration maxWait) {
        return new PooledTestProvider(db, db.server().host(), db.server().port(), maxTotal, maxWait);
    }

    /**
     * @param db the test database (name and credentials)
     * @param host host to connect to instead of the server's
     * @param port port to connect to instead of the server's
     * @return a provider connecting to host:port
     */
    public static PooledTestProvider via(TestDatabase db, String host, int port) {
        return new PooledTestProvider(db, host, port, 10, Duration.ofSeconds(5));
    }

    /**
     * Replaces the pool by one connecting to host:port; the old pool is closed.
     *
     * @param host host
     * @param port port
     */
    public void pointAt(String host, int port) {
        BasicDataSource ds = new BasicDataSource();
        ds.setUrl("jdbc:postgresql://" + host + ":" + port + "/" + db.name() + "?connectTimeout=5&socketTimeout=60");
        ds.setUsername(db.user());
        ds.setPassword(db.password());
        ds.setMaxTotal(maxTotal);
        ds.setMaxWait(maxWait);
        ds.setTestOnBorrow(true);
        ds.setDefaultAutoCommit(true);
        BasicDataSource old = pool.getAndSet(ds);
        if (old != null) {
            closeQuietly(old);
        }
    }

    /** Points back at the test server itself. */
    public void pointAtServer() {
        pointAt(db.server().host(), db.server().port());
    }

    /**
     * Makes {@link #acquire} reject every call as an open pool-layer breaker does, or stop doing so.
     *
     * @param open whether the pool breaker is open
     */
    public void poolBreakerOpen(boolean open) {
        this.breakerOpen = open;
    }

    @Override
    public String database() {
        return db.name();
    }

    @Override
    public RoutedConnection acquire(Intent intent) throws SQLException {
        if (breakerOpen) {
            throw new BreakerOpenException(db.name(), "pool", "primary", "OPEN");
        }
        BasicDataSource ds = pool.get();
        try {
            return new RoutedConnection(ds.getConnection(), db.name(), "primary");
        } catch (SQLException e) {
            // As the connection manager does: a borrow timeout is pool exhaustion, with the pool's numbers.
            if (e.getCause() instanceof NoSuchElementException) {
                throw new PoolExhaustedException(db.name(), "primary", maxWait.toMillis(),
                        ds.getNumActive() + ds.getNumIdle(), ds.getNumActive(), ds.getNumIdle(), 0, e);
            }
            throw e;
        }
    }

    @Override
    public void close() {
        closeQuietly(pool.get());
    }

    private static void closeQuietly(BasicDataSource ds) {
        try {
            ds.close();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
