package dev.dbagent.internal.pool;

import dev.dbagent.Intent;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.SlidingTimeWindowArrayReservoir;
import dev.dbagent.BreakerOpenException;
import dev.dbagent.PoolExhaustedException;
import dev.dbagent.config.BreakerSettings;
import dev.dbagent.config.ConnectionSettings;
import dev.dbagent.config.JdbcUrls;
import dev.dbagent.config.PoolSettings;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.dbcp2.BasicDataSource;
import org.apache.commons.dbcp2.DelegatingConnection;
import org.apache.commons.pool2.impl.GenericObjectPool;

/**
 * One DBCP2 pool (the primary or one replica of a database) behind its own circuit breaker.
 *
 * <p>Connections are validated when created and while idle, never on borrow (no round trip on
 * the hot path); PostgreSQL's fatal SQLSTATEs evict a connection at once (fast-fail validation).
 * pgJDBC's {@code connectTimeout}, {@code socketTimeout} and {@code tcpKeepAlive} are always set,
 * so no call can hang on a dead network for longer than the socket timeout.
 *
 * <p>The breaker guards acquisition only: while it is open, {@link #acquire()} throws
 * {@link BreakerOpenException} without touching DBCP2 or the network. It counts infrastructure
 * failures only ({@link Failures#isInfrastructure}).
 *
 * <p>Thread-safe. Statistics are read without locking and may be slightly stale.
 */
public final class ManagedPool implements ConnectionProvider, AutoCloseable {
    private final String database;
    private final String role;
    private final String maskedUrl;
    private final PoolSettings settings;
    private final BasicDataSource dataSource;
    private final CircuitBreaker breaker;
    private final Clock clock;
    private final boolean captureStacks;
    private final Histogram borrowWaitMicros = new Histogram(new SlidingTimeWindowArrayReservoir(5, TimeUnit.MINUTES));
    private final Map<Connection, Borrow> borrowers = new ConcurrentHashMap<>();

    ManagedPool(String database, String role, String url, String user, String password, PoolSettings pool,
                ConnectionSettings connection, BreakerSettings breakerSettings, Clock clock) {
        this.database = database;
        this.role = role;
        this.maskedUrl = JdbcUrls.mask(url);
        this.settings = pool;
        this.clock = clock;
        this.captureStacks = pool.logAbandoned();
        this.dataSource = newDataSource(database, role, url, user, password, pool, connection);
        this.breaker = CircuitBreaker.of(database + "/pool/" + role, Breakers.config(breakerSettings, clock));
    }

    private static BasicDataSource newDataSource(String database, String role, String url, String user,
                                                 String password, PoolSettings p, ConnectionSettings c) {
        BasicDataSource ds = new BasicDataSource();
        ds.setDriverClassName("org.postgresql.Driver");
        ds.setUrl(url);
        if (user != null) {
            ds.setUsername(user);
        }
        if (password != null) {
            ds.setPassword(password);
        }
        ds.addConnectionProperty("connectTimeout", Long.toString(Math.max(1, c.connectTimeout().toSeconds())));
        ds.addConnectionProperty("socketTimeout", Long.toString(Math.max(1, c.socketTimeout().toSeconds())));
        ds.addConnectionProperty("loginTimeout", Long.toString(Math.max(1, c.loginTimeout().toSeconds())));
        ds.addConnectionProperty("tcpKeepAlive", Boolean.toString(c.tcpKeepAlive()));
        ds.addConnectionProperty("sslmode", c.sslMode().value());
        ds.addConnectionProperty("currentSchema", c.currentSchema());
        ds.addConnectionProperty("ApplicationName", "dbagent/" + database + "/" + role);
        // setReadOnly(true) makes the session read-only, so reads can run in autocommit and still
        // be refused any write (see DatabaseService); the state changes only on read/write switches
        ds.addConnectionProperty("readOnlyMode", "always");
        // pgJDBC keeps the server-side prepared statements; a second cache in DBCP2 would only add overhead
        ds.addConnectionProperty("preparedStatementCacheQueries", Integer.toString(p.statementCacheSize()));
        ds.setMaxTotal(p.maxTotal());
        ds.setMaxIdle(p.maxTotal());
        ds.setMinIdle(p.minIdle());
        ds.setInitialSize(0);
        ds.setMaxWait(p.maxWait());
        ds.setTestOnBorrow(false);
        ds.setTestOnReturn(false);
        ds.setTestOnCreate(true);
        ds.setTestWhileIdle(true);
        ds.setValidationQueryTimeout(p.validationTimeout());
        ds.setFastFailValidation(true);
        ds.setDisconnectionSqlCodes(List.of("57P01", "57P02", "57P03", "01002", "08000", "08001", "08003",
                "08004", "08006", "08007", "53300"));
        ds.setDurationBetweenEvictionRuns(p.timeBetweenEvictionRuns());
        ds.setMinEvictableIdle(p.minEvictableIdle());
        ds.setNumTestsPerEvictionRun(p.maxTotal());
        ds.setMaxConn(p.maxConnLifetime().isZero() ? Duration.ofMillis(-1) : p.maxConnLifetime());
        ds.setRollbackOnReturn(true);
        ds.setAutoCommitOnReturn(true);
        ds.setRegisterConnectionMBean(false);
        if (!p.abandonedTimeout().isZero()) {
            ds.setRemoveAbandonedOnMaintenance(true);
            ds.setRemoveAbandonedOnBorrow(true);
            ds.setRemoveAbandonedTimeout(p.abandonedTimeout());
            ds.setLogAbandoned(p.logAbandoned());
        }
        return ds;
    }

    /**
     * Borrows a connection through the breaker.
     *
     * @return a connection; closing it returns it to the pool
     * @throws BreakerOpenException while the breaker is open (no network I/O)
     * @throws PoolExhaustedException if none became free within max wait
     * @throws SQLException if a new connection could not be opened
     */
    public Connection acquire() throws SQLException {
        if (!breaker.tryAcquirePermission()) {
            throw new BreakerOpenException(database, "pool", role, breaker.getState().name());
        }
        long start = System.nanoTime();
        Connection raw;
        try {
            raw = dataSource.getConnection();
        } catch (SQLException e) {
            long took = System.nanoTime() - start;
            RuntimeException translated = exhausted(e);
            Throwable failure = translated != null ? translated : e;
            breaker.onError(took, TimeUnit.NANOSECONDS, failure);
            if (translated != null) {
                throw translated;
            }
            throw new SQLException("cannot connect to database '" + database + "' (" + role + ", " + maskedUrl
                    + "): " + e.getMessage(), e.getSQLState(), e);
        }
        long took = System.nanoTime() - start;
        breaker.onSuccess(took, TimeUnit.NANOSECONDS);
        borrowWaitMicros.update(took / 1_000);
        return track(raw);
    }

    /**
     * This pool alone as a provider, whatever the intent (health checks test each pool).
     *
     * @param intent ignored: the pool is the route
     * @return a connection of this pool
     * @throws SQLException as {@link #acquire()}
     */
    @Override
    public RoutedConnection acquire(Intent intent) throws SQLException {
        return new RoutedConnection(acquire(), database, role);
    }

    /** pgJDBC runs with {@code readOnlyMode=always} on every pool. */
    @Override
    public boolean readOnlySessions() {
        return true;
    }

    private RuntimeException exhausted(SQLException e) {
        Throwable c = e.getCause();
        if (c instanceof NoSuchElementException && String.valueOf(c.getMessage()).startsWith("Timeout waiting")) {
            GenericObjectPool<?> pool = dataSource.getConnectionPool();
            int active = pool == null ? 0 : pool.getNumActive();
            int idle = pool == null ? 0 : pool.getNumIdle();
            int waiting = pool == null ? 0 : pool.getNumWaiters();
            return new PoolExhaustedException(database, role, settings.maxWait().toMillis(), active + idle, active,
                    idle, waiting, e);
        }
        return null;
    }

    private Connection track(Connection raw) {
        // the stack is captured cheaply (native backtrace) and only formatted when someone asks
        Borrow b = new Borrow(Thread.currentThread().getName(), clock.instant(),
                captureStacks ? new Throwable("borrowed here") : null);
        TrackedConnection tracked = new TrackedConnection(raw);
        borrowers.put(tracked, b);
        return tracked;
    }

    /** A borrow as recorded on the hot path. */
    private record Borrow(String thread, Instant at, Throwable where) {
        Borrower describe() {
            return new Borrower(thread, at, where == null ? "" : stackOfCaller(where.getStackTrace()));
        }
    }

    private static String stackOfCaller(StackTraceElement[] frames) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        boolean inside = true;
        for (StackTraceElement f : frames) {
            if (inside && (f.getClassName().startsWith(ManagedPool.class.getName())
                    || f.getClassName().equals(DatabaseRouter.class.getName()))) {
                continue;
            }
            inside = false;
            if (shown++ == 20) {
                break;
            }
            sb.append(sb.length() == 0 ? "" : "\n").append("at ").append(f);
        }
        return sb.toString();
    }

    /** A connection that forgets its borrower when it goes back to the pool. */
    private final class TrackedConnection extends DelegatingConnection<Connection> {
        TrackedConnection(Connection c) {
            super(c);
        }

        @Override
        public void close() throws SQLException {
            borrowers.remove(this);
            super.close();
        }
    }

    /** @return logical database name */
    @Override
    public String database() { return database; }

    /** @return {@code primary} or {@code replica-N} */
    public String role() { return role; }

    /** @return the JDBC URL with credentials masked */
    public String maskedUrl() { return maskedUrl; }

    /** @return this pool's circuit breaker (force open, disable, reset through it) */
    public CircuitBreaker breaker() { return breaker; }

    /** @return borrowed connections */
    public int active() { return dataSource.getNumActive(); }

    /** @return idle connections */
    public int idle() { return dataSource.getNumIdle(); }

    /** @return active + idle */
    public int total() { return active() + idle(); }

    /** @return threads waiting for a connection */
    public int waiting() {
        GenericObjectPool<?> p = dataSource.getConnectionPool();
        return p == null ? 0 : p.getNumWaiters();
    }

    /** @return configured maximum pool size */
    public int maxTotal() { return settings.maxTotal(); }

    /** @return configured minimum idle connections */
    public int minIdle() { return settings.minIdle(); }

    /** @return connections created since start */
    public long createdCount() {
        GenericObjectPool<?> p = dataSource.getConnectionPool();
        return p == null ? 0 : p.getCreatedCount();
    }

    /** @return connections destroyed since start (evicted, invalid, expired) */
    public long destroyedCount() {
        GenericObjectPool<?> p = dataSource.getConnectionPool();
        return p == null ? 0 : p.getDestroyedCount();
    }

    /** @return successful borrows since start */
    public long borrowedCount() {
        GenericObjectPool<?> p = dataSource.getConnectionPool();
        return p == null ? 0 : p.getBorrowedCount();
    }

    /**
     * @param quantile e.g. 0.5, 0.95, 0.99
     * @return the borrow wait at that quantile over the last five minutes, in milliseconds
     */
    public double borrowWaitMillis(double quantile) {
        return borrowWaitMicros.getSnapshot().getValue(quantile) / 1_000.0;
    }

    /** @return the histogram of borrow waits in microseconds (for metrics) */
    public Histogram borrowWaitMicros() { return borrowWaitMicros; }

    /**
     * @return who holds connections now, oldest first: thread, since when, and (when
     *     {@code pool.logAbandoned} is on) the borrowing stack
     */
    public List<Borrower> borrowers() {
        List<Borrower> list = new ArrayList<>();
        for (Borrow b : borrowers.values()) {
            list.add(b.describe());
        }
        list.sort(Comparator.comparing(Borrower::borrowedAt));
        return list;
    }

    /**
     * Closes every idle connection now; borrowed ones are untouched. The pool refills to
     * {@code minIdle} on its next eviction run or on demand.
     *
     * @return how many idle connections were closed
     */
    public int evictIdle() {
        GenericObjectPool<?> p = dataSource.getConnectionPool();
        if (p == null) {
            return 0;
        }
        int before = p.getNumIdle();
        p.clear();
        return before - p.getNumIdle();
    }

    /**
     * Opens {@code minIdle} connections so the first calls don't pay for them. Failures are not
     * thrown: the pool retries on demand.
     */
    void warmUp() {
        List<Connection> opened = new ArrayList<>();
        try {
            for (int i = 0; i < settings.minIdle(); i++) {
                opened.add(dataSource.getConnection());
            }
        } catch (SQLException ignored) {
            // the server may be down at start; health reports it and the pool connects on demand
        } finally {
            for (Connection c : opened) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // returning a fresh connection
                }
            }
        }
    }

    /** Closes every connection; borrowed ones are closed when returned. Idempotent. */
    @Override
    public void close() {
        try {
            dataSource.close();
        } catch (SQLException ignored) {
            // closing idle connections to a dead server fails; nothing is left to release
        }
    }

    @Override
    public String toString() {
        return "ManagedPool[" + database + "/" + role + ", " + maskedUrl + ", active=" + active() + ", idle=" + idle()
                + ", breaker=" + breaker.getState() + "]";
    }

    /**
     * A thread holding a connection.
     *
     * @param thread the borrowing thread's name
     * @param borrowedAt when it borrowed
     * @param stack the borrowing stack, empty unless {@code pool.logAbandoned} is on
     */
    public record Borrower(String thread, Instant borrowedAt, String stack) {}
}
