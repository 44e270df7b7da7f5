package dev.dbagent.internal.pool;

import dev.dbagent.Intent;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import dev.dbagent.BreakerOpenException;
import dev.dbagent.PoolExhaustedException;
import dev.dbagent.config.BreakerSettings;
import dev.dbagent.config.JdbcUrls;
import dev.dbagent.config.PoolSettings;
import dev.dbagent.config.Secret;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.apache.commons.dbcp2.BasicDataSource;
import org.apache.commons.dbcp2.DelegatingConnection;
import org.apache.commons.dbcp2.PoolableConnection;
import org.apache.commons.pool2.impl.GenericObjectPool;

/**
 * One DBCP2 pool (the primary or one replica of a database) behind its own circuit breaker.
 *
 * <p>Connections are validated when created and while idle, never on borrow (no round trip on
 * the hot path); PostgreSQL's fatal SQLSTATEs evict a connection at once (fast-fail validation).
 * Its connections are made from the database's {@link ConnectionFactory} (TLS, connect, login and
 * socket timeouts, keep-alive, application name {@code dbagent/<db>/<role>}), so no statement
 * can hang on a dead network for longer than the socket timeout (unless that is 0, none), and no
 * borrower waits longer than max wait for a connection (see {@link #acquire()}).
 *
 * <p>The breaker guards acquisition only: while it is open, {@link #acquire()} throws
 * {@link BreakerOpenException} without touching DBCP2 or the network. It counts failures to
 * connect only ({@link Failures#isInfrastructure}); a full pool ({@link PoolExhaustedException})
 * is backpressure and never counts.
 *
 * <p>Live control ({@link #resize}, {@link #softEvict}, {@link #rotateCredentials}) changes the
 * running pool without failing work in flight: a connection borrowed before a soft eviction is
 * closed when it comes back instead of going back to the pool.
 *
 * <p>Thread-safe. Statistics are read without locking and may be slightly stale.
 */
public final class ManagedPool implements ConnectionProvider, AutoCloseable {
    private final String database;
    private final String role;
    private final String maskedUrl;
    private final ConnectionFactory factory;
    /** Opens new connections, so that a caller waits for one at most the pool's max wait. */
    private final ThreadPoolExecutor opener;
    private final PoolSettings settings;
    /** The live sizes: start as configured, changed by {@link #resize}. */
    private volatile int maxTotal;
    private volatile int minIdle;
    private volatile Duration maxWait;
    /**
     * Bumped by {@link #softEvict()}: a connection borrowed under an older generation is closed
     * when returned.
     */
    private volatile int generation;
    /**
     * The generation in which each connection not yet borrowed began to connect: one that was
     * connecting (with the old password, to the old host) while an eviction ran is known as old
     * at its first borrow. Entries leave at that borrow, or when an eviction finds them closed.
     */
    private final Map<Connection, Integer> connectedIn = new ConcurrentHashMap<>();
    private final Object control = new Object();
    private final BasicDataSource dataSource;
    private final CircuitBreaker breaker;
    private final Clock clock;
    private final boolean captureStacks;
    /**
     * No abandoned tracking configured: borrowed connections skip DBCP2's statement wrappers, and
     * returned ones are parked for their thread (thread affinity).
     */
    private final boolean lean;
    /** Bounded and lock-free (see the service's timers); weighted to the last five minutes. */
    private final Histogram borrowWaitMicros = new Histogram(LockFreeExponentiallyDecayingReservoir.builder().build());
    private final Map<Connection, Borrow> borrowers = new ConcurrentHashMap<>();
    /**
     * Thread affinity (on the lean path only): a connection returned in autocommit is parked for
     * the thread that returned it instead of going through DBCP2's return and next borrow (its
     * idle deque's lock, its statistics' monitors, its {@code Instant}s). See {@link Kept}.
     */
    private final ThreadLocal<Kept> kept = new ThreadLocal<>();
    /** Every connection out of DBCP2 under affinity, parked or in use; a borrower takes a parked one. */
    private final CopyOnWriteArrayList<Kept> keptAll = new CopyOnWriteArrayList<>();
    private final LongAdder parked = new LongAdder();
    private final LongAdder keptBorrows = new LongAdder();
    /** Borrowers past their own parked connection: while there are any, returns go to DBCP2. */
    private final AtomicInteger slowBorrowers = new AtomicInteger();
    /**
     * Bumped when a connection was lost, when the pool shrinks and when it closes: a connection
     * parked or borrowed before goes back through DBCP2 instead of being parked (again).
     */
    private volatile int parkEpoch;
    private volatile boolean closed;

    ManagedPool(String role, ConnectionFactory factory, PoolSettings pool, BreakerSettings breakerSettings,
                Clock clock) {
        this.database = factory.database();
        this.role = role;
        this.factory = factory;
        this.maskedUrl = factory.maskedUrl();
        this.settings = pool;
        this.maxTotal = pool.maxTotal();
        this.minIdle = pool.minIdle();
        this.maxWait = pool.maxWait();
        this.clock = clock;
        this.captureStacks = pool.logAbandoned();
        this.lean = pool.abandonedTimeout().isZero();
        this.dataSource = newDataSource(factory, factory.applicationName(role), pool, this::connectStamped);
        this.breaker = CircuitBreaker.of(database + "/pool/" + role, Breakers.config(breakerSettings, clock));
        this.opener = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "dbagent-open-" + database + "-" + role);
                    t.setDaemon(true);
                    return t;
                });
    }

    private static BasicDataSource newDataSource(ConnectionFactory factory, String applicationName, PoolSettings p,
                                                 StampedConnect connect) {
        // Behind a transaction-mode pooler the factory itself asks for per-transaction read-only
        // and no server-side statements; these would bring session state back.
        Map<String, String> extra = !factory.sessionStateAllowed() ? Map.of() : Map.of(
                // setReadOnly(true) makes the session read-only, so reads can run in autocommit and still
                // be refused any write (see DatabaseService); the state changes only on read/write switches
                "readOnlyMode", "always",
                // pgJDBC keeps the server-side prepared statements; a second cache in DBCP2 would only add overhead
                "preparedStatementCacheQueries", Integer.toString(p.statementCacheSize()));
        // every connection comes from the database's factory, which reads the password at each
        // connect: a rotated credential reaches new connections without rebuilding the pool
        BasicDataSource ds = new BasicDataSource() {
            @Override
            protected org.apache.commons.dbcp2.ConnectionFactory createConnectionFactory() {
                return () -> connect.open(applicationName, extra);
            }
        };
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

    @FunctionalInterface
    private interface StampedConnect {
        Connection open(String applicationName, Map<String, String> extra) throws SQLException;
    }

    /** Opens a physical connection and remembers the generation it began in. */
    private Connection connectStamped(String applicationName, Map<String, String> extra) throws SQLException {
        int in = generation; // read before the factory reads the password
        Connection c = factory.connect(applicationName, extra);
        if (connectedIn.size() > 2 * maxTotal) {
            connectedIn.keySet().removeIf(ManagedPool::isClosedQuietly); // refused at validation, never borrowed
        }
        connectedIn.put(c, in);
        return c;
    }

    /**
     * Borrows a connection through the breaker. Waits at most the pool's max wait, also when a
     * new connection has to be opened: that happens on a pool thread, and a connection that
     * arrives after the caller gave up goes to the pool for the next one.
     *
     * @return a connection; closing it returns it to the pool
     * @throws BreakerOpenException while the breaker is open (no network I/O)
     * @throws PoolExhaustedException if none became free within max wait; this is backpressure
     *     and does not count as a breaker failure
     * @throws SQLException if a new connection could not be opened (SQLSTATE class 08) or not
     *     within max wait; the message names the database, the role and the masked URL
     */
    public Connection acquire() throws SQLException {
        return acquire(true);
    }

    /**
     * {@link #acquire()} for the schedule's own checks: the connection goes back to DBCP2 when
     * returned, never parked for the checking thread.
     */
    Connection acquireForCheck() throws SQLException {
        return acquire(false);
    }

    private Connection acquire(boolean mayPark) throws SQLException {
        if (!breaker.tryAcquirePermission() && !(permitsCalls(breaker.getState()) && breaker.tryAcquirePermission())) {
            throw rejected();
        }
        long start = System.nanoTime();
        int generationBefore = generation; // an eviction during the borrow makes this connection old
        int epochBefore = parkEpoch;
        Kept entry = lean ? ownParked(generationBefore, epochBefore, start) : null;
        Connection raw;
        boolean slow = lean && entry == null;
        if (slow) {
            slowBorrowers.incrementAndGet(); // from now on, returns go to DBCP2, where this borrower waits
        }
        try {
            if (slow) {
                entry = stealParked(generationBefore, epochBefore, start);
            }
            raw = entry != null ? entry.pooled : borrow();
        } catch (SQLException e) {
            long took = System.nanoTime() - start;
            PoolExhaustedException exhausted = exhausted(e);
            if (exhausted != null) {
                breaker.releasePermission(); // a full pool is not a failure of the database
                throw exhausted;
            }
            SQLException failure = new SQLException("cannot connect to database '" + database + "' (" + role + ", "
                    + maskedUrl + "): " + JdbcUrls.maskIn(e.getMessage(), factory.url(), factory.password()),
                    Failures.sqlState(e), Failures.masked(e, factory.url(), factory.password()));
            breaker.onError(took, TimeUnit.NANOSECONDS, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            breaker.releasePermission();
            throw e;
        } finally {
            if (slow) {
                slowBorrowers.decrementAndGet();
            }
        }
        long took = System.nanoTime() - start;
        breaker.onSuccess(took, TimeUnit.NANOSECONDS);
        borrowWaitMicros.update(took / 1_000);
        if (entry != null) {
            keptBorrows.increment();
        }
        return track(raw, generationBefore, mayPark ? epochBefore : -1, entry);
    }

    /**
     * Between the breaker's "no" and reading its state it may have moved on (a half-open probe
     * closed it): then {@link #acquire()} asks once more, and a rejection never reports a state
     * that does not reject.
     */
    private static boolean permitsCalls(CircuitBreaker.State state) {
        return state == CircuitBreaker.State.CLOSED || state == CircuitBreaker.State.DISABLED
                || state == CircuitBreaker.State.METRICS_ONLY;
    }

    private BreakerOpenException rejected() {
        return new BreakerOpenException(database, "pool", role, Breakers.rejectingState(breaker.getState()).name());
    }

    /**
     * A borrowed connection saw the connection to the server fail (SQLSTATE class 08 or
     * 57P01-57P03): the idle ones most likely died with it (a restart, terminated backends, a cut
     * network), so they are closed now, off the caller's thread, instead of failing the next
     * borrowers one by one. The failed connection itself is discarded by DBCP2 on return.
     */
    void connectionLost(Throwable failure) {
        String state = Failures.sqlState(failure);
        if (state == null || !(state.startsWith("08") || state.startsWith("57P"))) {
            return;
        }
        bumpParkEpoch(); // connections borrowed before go back through DBCP2
        GenericObjectPool<?> p = dataSource.getConnectionPool();
        if (p != null && (p.getNumIdle() > 0 || !keptAll.isEmpty())) {
            try {
                opener.execute(this::clearIdle);
            } catch (RejectedExecutionException closed) {
                // the pool is closing anyway
            }
        }
    }

    /**
     * An idle connection, or one returned by another thread, is taken on the caller's thread: no
     * connect happens there. A new connection is opened by the opener, and the caller waits for it
     * at most max wait, so a server that accepts TCP but never answers the login (a black hole)
     * cannot hold a caller for the login timeout.
     */
    private Connection borrow() throws SQLException {
        GenericObjectPool<?> p = dataSource.getConnectionPool();
        if (p != null && (p.getNumIdle() > 0 || p.getNumActive() >= maxTotal)) {
            return borrowPooled();
        }
        CompletableFuture<Connection> opening;
        try {
            opening = CompletableFuture.supplyAsync(() -> {
                try {
                    return dataSource.getConnection();
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            }, opener);
        } catch (RejectedExecutionException closed) {
            throw new SQLNonTransientConnectionException("pool of database '" + database + "' (" + role
                    + ") is closed", "08003");
        }
        long waitMillis = maxWait.toMillis();
        try {
            return opening.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            opening.thenAccept(ManagedPool::closeQuietly); // goes to the pool when it arrives
            GenericObjectPool<?> now = dataSource.getConnectionPool();
            if (now != null && now.getNumActive() >= maxTotal) {
                // the opener found the pool full and waits for a return like any borrower: saturation
                throw saturated(null);
            }
            throw new SQLTransientConnectionException("no new connection to database '" + database + "' (" + role
                    + ") within " + waitMillis + " ms: the server accepts connections too slowly or not at all",
                    "08001");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException ce && ce.getCause() != null
                    ? ce.getCause() : e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new SQLException("opening a connection failed: " + cause, "08001", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            opening.thenAccept(ManagedPool::closeQuietly);
            throw new SQLTransientConnectionException("interrupted while waiting for a connection to database '"
                    + database + "' (" + role + ")", "08001", e);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // a connection the caller gave up on; the pool discards it if it is broken
        }
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

    /**
     * pgJDBC runs with {@code readOnlyMode=always}, except behind a transaction-mode pooler
     * ({@code readOnlyMode=transaction}: reads then run in a {@code READ ONLY} transaction).
     */
    @Override
    public boolean readOnlySessions() {
        return factory.sessionStateAllowed();
    }

    /**
     * Without abandoned tracking, the pooled connection is borrowed from DBCP2's object pool
     * directly: its guard wrapper would be one more finalizable object per borrow, and the lease
     * already refuses use after return. Failures are reported as DBCP2's data source reports them.
     */
    private Connection borrowPooled() throws SQLException {
        GenericObjectPool<PoolableConnection> pool = lean ? dataSource.getConnectionPool() : null;
        if (pool == null) {
            return dataSource.getConnection();
        }
        try {
            return pool.borrowObject();
        } catch (NoSuchElementException e) {
            throw new SQLException("Cannot get a connection, pool error " + e.getMessage(), e);
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Cannot get a connection, general error", e);
        } catch (Exception e) {
            throw new SQLException("Cannot get a connection, general error", e);
        }
    }

    /** @return the exception of a DBCP2 borrow that timed out waiting, or null for any other failure */
    private PoolExhaustedException exhausted(SQLException e) {
        Throwable c = e.getCause();
        return c instanceof NoSuchElementException && String.valueOf(c.getMessage()).startsWith("Timeout waiting")
                ? saturated(e) : null;
    }

    /** Saturation, in the pool's own counts (parked connections are idle). */
    private PoolExhaustedException saturated(Throwable cause) {
        int active = active();
        int idle = idle();
        return new PoolExhaustedException(database, role, maxWait.toMillis(), active + idle, active, idle, waiting(),
                cause);
    }

    private Connection track(Connection pooled, int generationBefore, int epochBefore, Kept entry) {
        // the stack is captured cheaply (native backtrace) and only formatted when someone asks
        Borrow b = new Borrow(Thread.currentThread().getName(), clock.millis(),
                captureStacks ? new Throwable("borrowed here") : null);
        if (entry != null) {
            Lease lease = new Lease(entry.pooled, entry.raw, entry.generation, epochBefore, entry);
            borrowers.put(lease, b);
            return lease;
        }
        Connection physical = pooled instanceof DelegatingConnection<?> d ? d.getInnermostDelegateInternal() : pooled;
        int borrowedIn = generationBefore;
        if (!connectedIn.isEmpty()) {
            Integer in = connectedIn.remove(physical);
            if (in != null && in < borrowedIn) {
                borrowedIn = in;
            }
        }
        Connection tracked = lean && physical != pooled
                ? new Lease(pooled, physical, borrowedIn, epochBefore, null)
                : new TrackedConnection(pooled, borrowedIn);
        borrowers.put(tracked, b);
        return tracked;
    }

    /** A borrow as recorded on the hot path: no Instant, no formatted stack. */
    private record Borrow(String thread, long atMillis, Throwable where) {
        Borrower describe() {
            return new Borrower(thread, Instant.ofEpochMilli(atMillis),
                    where == null ? "" : stackOfCaller(where.getStackTrace()));
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

    /**
     * DBCP2's full wrapper stack, used when abandoned-connection tracking is configured (it needs
     * DBCP2's statement traces and last-used times): forgets its borrower when it goes back.
     */
    private final class TrackedConnection extends DelegatingConnection<Connection> {
        private final int borrowedIn;

        TrackedConnection(Connection c, int borrowedIn) {
            super(c);
            this.borrowedIn = borrowedIn;
        }

        @Override
        public void close() throws SQLException {
            if (isClosed()) {
                super.close();
                return;
            }
            borrowers.remove(this);
            if (borrowedIn != generation) {
                invalidate(getDelegate());
                super.close();
                return;
            }
            super.close();
            afterReturn(borrowedIn);
        }

        @Override
        protected void handleException(SQLException e) throws SQLException {
            connectionLost(e);
            super.handleException(e);
        }
    }

    /**
     * A borrowed connection without DBCP2's wrappers. Each of DBCP2's wrapping levels (the
     * per-borrow guard, the pooled connection, a {@code DelegatingConnection} of ours) is
     * finalizable and wraps every statement in a finalizable {@code DelegatingPreparedStatement}:
     * objects that each take the JVM's finalizer lock and survive a garbage collection. Here the
     * pooled connection is borrowed without a guard and statements are made on pgJDBC's
     * connection directly and remembered, so that any left open are closed when the connection
     * goes back, as DBCP2 would; everything else (auto-commit, read-only, commit, rollback) still
     * goes through DBCP2, so its cached state and its rollback on return stay right. A dead
     * connection is still discarded on return: pgJDBC reports it closed.
     */
    private final class Lease extends ForwardingConnection {
        private final Connection pooled;
        private final Connection raw;
        private final int borrowedIn;
        /** The park epoch it was borrowed in; -1 if it is never to be parked. */
        private final int epoch;
        /** Its affinity entry: taken from one, or given one when first parked. */
        private Kept entry;
        private Statement[] made;
        private int count;
        private boolean closed;

        Lease(Connection pooled, Connection raw, int borrowedIn, int epoch, Kept entry) {
            this.pooled = pooled;
            this.raw = raw;
            this.borrowedIn = borrowedIn;
            this.epoch = epoch;
            this.entry = entry;
        }

        @Override
        protected Connection delegate() throws SQLException {
            if (closed) {
                throw new SQLException("connection to database '" + database + "' (" + role + ") is closed", "08003");
            }
            return pooled;
        }

        private Connection raw() throws SQLException {
            delegate();
            return raw;
        }

        private <S extends Statement> S made(S statement) {
            if (made == null) {
                made = new Statement[4];
            } else if (count == made.length) {
                forgetClosed();
                if (count == made.length) {
                    made = Arrays.copyOf(made, count * 2);
                }
            }
            made[count++] = statement;
            return statement;
        }

        /** Keeps a long borrow with many statements from holding every closed one. */
        private void forgetClosed() {
            int kept = 0;
            for (int i = 0; i < count; i++) {
                if (!isClosedQuietly(made[i])) {
                    made[kept++] = made[i];
                }
            }
            Arrays.fill(made, kept, count, null);
            count = kept;
        }

        @Override public Statement createStatement() throws SQLException { return made(raw().createStatement()); }
        @Override public Statement createStatement(int a0, int a1) throws SQLException { return made(raw().createStatement(a0, a1)); }
        @Override public Statement createStatement(int a0, int a1, int a2) throws SQLException { return made(raw().createStatement(a0, a1, a2)); }
        @Override public CallableStatement prepareCall(String a0) throws SQLException { return made(raw().prepareCall(a0)); }
        @Override public CallableStatement prepareCall(String a0, int a1, int a2) throws SQLException { return made(raw().prepareCall(a0, a1, a2)); }
        @Override public CallableStatement prepareCall(String a0, int a1, int a2, int a3) throws SQLException { return made(raw().prepareCall(a0, a1, a2, a3)); }
        @Override public PreparedStatement prepareStatement(String a0) throws SQLException { return made(raw().prepareStatement(a0)); }
        @Override public PreparedStatement prepareStatement(String a0, int a1) throws SQLException { return made(raw().prepareStatement(a0, a1)); }
        @Override public PreparedStatement prepareStatement(String a0, int[] a1) throws SQLException { return made(raw().prepareStatement(a0, a1)); }
        @Override public PreparedStatement prepareStatement(String a0, String[] a1) throws SQLException { return made(raw().prepareStatement(a0, a1)); }
        @Override public PreparedStatement prepareStatement(String a0, int a1, int a2) throws SQLException { return made(raw().prepareStatement(a0, a1, a2)); }
        @Override public PreparedStatement prepareStatement(String a0, int a1, int a2, int a3) throws SQLException { return made(raw().prepareStatement(a0, a1, a2, a3)); }

        @Override
        public boolean isClosed() throws SQLException {
            return closed || pooled.isClosed();
        }

        @Override
        public void close() throws SQLException {
            if (closed) {
                return;
            }
            closed = true;
            borrowers.remove(this);
            for (int i = 0; i < count; i++) {
                try {
                    made[i].close();
                } catch (SQLException | RuntimeException ignored) {
                    // a statement of a dead connection; the pool discards the connection below
                }
            }
            made = null;
            if (borrowedIn != generation) {
                retire(entry);
                invalidate(pooled);
                return;
            }
            if (lean && park(this)) {
                return;
            }
            retire(entry);
            pooled.close();
            afterReturn(borrowedIn);
        }

        @Override
        public String toString() {
            return "Lease[" + database + "/" + role + (closed ? ", closed" : "") + "]";
        }
    }

    /**
     * A connection out of DBCP2 under thread affinity. Its state moves by CAS: a thread returning
     * it parks it (and remembers it in a thread-local), a borrower takes it (its own first, any
     * other's when its own is gone), and it goes back to DBCP2 (retired) at least once a second,
     * so DBCP2 still validates its lifetime, idles and evicts it. A parked connection counts as
     * idle; it is never taken after a soft eviction, a lost connection, a shrink or close.
     */
    private static final class Kept {
        private static final int IN_USE = 0;
        private static final int PARKED = 1;
        private static final int GONE = 2;
        private static final AtomicIntegerFieldUpdater<Kept> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Kept.class, "state");
        final Connection pooled;
        final Connection raw;
        final int generation;
        /** When it left DBCP2 (nanoTime). */
        final long since;
        /** The park epoch of the borrow that parked it last; written before {@link #state}. */
        int parkedIn;
        volatile int state = IN_USE;

        Kept(Connection pooled, Connection raw, int generation, long since) {
            this.pooled = pooled;
            this.raw = raw;
            this.generation = generation;
            this.since = since;
        }

        boolean take() {
            return state == PARKED && STATE.compareAndSet(this, PARKED, IN_USE);
        }
    }

    /** Never negative: -1 marks a borrow that is never parked. */
    private void bumpParkEpoch() {
        parkEpoch = (parkEpoch + 1) & Integer.MAX_VALUE;
    }

    /** Connections go back to DBCP2 at least this often, where it checks and evicts them. */
    private static final long RECYCLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** @return the calling thread's parked connection, taken, if it is still good to use */
    private Kept ownParked(int generationNow, int epochNow, long now) {
        Kept k = kept.get();
        return k != null && takeUsable(k, generationNow, epochNow, now) ? k : null;
    }

    /** @return another thread's parked connection, taken, if one is parked and good to use */
    private Kept stealParked(int generationNow, int epochNow, long now) {
        for (Kept k : keptAll) {
            if (takeUsable(k, generationNow, epochNow, now)) {
                kept.set(k);
                return k;
            }
        }
        return null;
    }

    /** Takes a parked entry; one that is no longer good to use is discarded instead. */
    private boolean takeUsable(Kept k, int generationNow, int epochNow, long now) {
        if (!k.take()) {
            return false;
        }
        parked.decrement();
        if (usable(k, generationNow, epochNow, now)) {
            return true;
        }
        discard(k);
        return false;
    }

    private static boolean usable(Kept k, int generationNow, int epochNow, long now) {
        return k.generation == generationNow && k.parkedIn == epochNow && now - k.since < RECYCLE_NANOS
                && !isClosedQuietly(k.raw);
    }

    /**
     * Parks a returned connection instead of giving it back to DBCP2, when it is clean (in
     * autocommit, open), young enough, and nobody is waiting in DBCP2.
     *
     * @return false if the caller must return it to DBCP2
     */
    private boolean park(Lease l) {
        if (closed || l.epoch != parkEpoch || slowBorrowers.get() > 0) {
            return false;
        }
        Kept k = l.entry;
        long now = System.nanoTime();
        if (k != null && now - k.since >= RECYCLE_NANOS) {
            return false;
        }
        try {
            if (l.raw.isClosed() || !l.raw.getAutoCommit()) {
                return false; // DBCP2 rolls back and resets it, or discards it
            }
            l.raw.clearWarnings();
        } catch (SQLException e) {
            return false;
        }
        if (k == null) {
            k = new Kept(l.pooled, l.raw, l.borrowedIn, now);
            keptAll.add(k);
            l.entry = k;
        }
        k.parkedIn = l.epoch;
        k.state = Kept.PARKED;
        parked.increment();
        if (kept.get() != k) {
            kept.set(k);
        }
        // a borrower that started waiting in DBCP2 meanwhile, or close, may have missed it
        if ((slowBorrowers.get() > 0 || closed || l.epoch != parkEpoch) && k.take()) {
            parked.decrement();
            return false;
        }
        return true;
    }

    /** The entry's connection goes back to DBCP2 (or is closed) by its caller. */
    private void retire(Kept k) {
        if (k != null) {
            k.state = Kept.GONE;
            keptAll.remove(k);
        }
    }

    /** A taken entry that is not to be used: back to DBCP2, or closed if evicted meanwhile. */
    private void discard(Kept k) {
        retire(k);
        try {
            if (k.generation != generation) {
                invalidate(k.pooled);
            } else {
                k.pooled.close();
                afterReturn(k.generation);
            }
        } catch (SQLException | RuntimeException e) {
            // a dead connection: DBCP2 destroys it
        }
    }

    /** Every parked connection back to DBCP2 (or closed if evicted). */
    private void unparkAll() {
        unpark(k -> true);
    }

    /** The parked connections that {@code due} picks go back to DBCP2 (or are closed if evicted). */
    private void unpark(Predicate<Kept> due) {
        for (Kept k : keptAll) {
            if (k.state == Kept.PARKED && due.test(k) && k.take()) {
                parked.decrement();
                discard(k);
            }
        }
    }

    /**
     * Returns parked connections that are due (a second out of DBCP2, evicted, or from before a
     * lost connection) to DBCP2, so that idle ones are DBCP2's to check and evict. Called by the
     * connection manager's schedule about once a second; never throws.
     */
    void sweep() {
        if (!lean || keptAll.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        unpark(k -> !usable(k, generation, parkEpoch, now));
    }

    /** @return connections parked for a thread (counted in {@link #idle()}) */
    int parkedCount() {
        return lean ? (int) Math.max(0, parked.sum()) : 0;
    }

    private static boolean isClosedQuietly(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    private static boolean isClosedQuietly(Statement s) {
        try {
            return s.isClosed();
        } catch (SQLException e) {
            return true;
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
    public int active() { return Math.max(0, dataSource.getNumActive() - parkedCount()); }

    /**
     * @param threadPrefix a thread-name prefix, e.g. the health checks' {@code dbagent-health-check-}
     * @return how many connections threads with that prefix hold now
     */
    public int borrowedByThreadsStartingWith(String threadPrefix) {
        int n = 0;
        for (Borrow b : borrowers.values()) {
            if (b.thread().startsWith(threadPrefix)) {
                n++;
            }
        }
        return n;
    }

    /** @return idle connections (in DBCP2's idle deque, or parked for the thread that returned them) */
    public int idle() { return dataSource.getNumIdle() + parkedCount(); }

    /** @return active + idle */
    public int total() { return active() + idle(); }

    /** @return threads waiting for a connection */
    public int waiting() {
        GenericObjectPool<?> p = dataSource.getConnectionPool();
        return p == null ? 0 : p.getNumWaiters();
    }

    /** @return the maximum pool size now (as configured unless {@link #resize}d) */
    public int maxTotal() { return maxTotal; }

    /** @return the minimum of idle connections now (as configured unless {@link #resize}d) */
    public int minIdle() { return minIdle; }

    /** @return how long a borrower waits for a connection now (as configured unless {@link #resize}d) */
    public Duration maxWait() { return maxWait; }

    /**
     * @return where this pool's password comes from: {@code env:NAME}, {@code file:PATH},
     *     {@code literal} or {@code none}; never the value
     */
    public String passwordSource() { return factory.passwordSource(); }

    /** @return the database's connection factory (the one that opens this pool's connections) */
    public ConnectionFactory factory() { return factory; }

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
        return (p == null ? 0 : p.getBorrowedCount()) + keptBorrows.sum();
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
        return clearIdle();
    }

    // ------------------------------------------------------------------ live control

    /** Upper bounds of {@link #resize}: the same as the configuration's ({@code pool.*} keys). */
    public static final int MAX_TOTAL_LIMIT = 1000;
    /** Longest max wait {@link #resize} accepts, as {@code pool.maxWaitMillis}. */
    public static final long MAX_WAIT_LIMIT_MILLIS = 600_000;

    /**
     * Changes the pool's sizes while it runs. Growing takes effect at once (waiting borrowers are
     * served as connections open; {@code minIdle} connections are opened in the background);
     * shrinking closes no connection in use: connections above the new maximum close as they are
     * returned.
     *
     * @param newMaxTotal most connections, 1 to {@value #MAX_TOTAL_LIMIT}
     * @param newMinIdle idle connections kept open, 0 to {@code newMaxTotal}
     * @param newMaxWait how long a borrower waits, 1 ms to {@value #MAX_WAIT_LIMIT_MILLIS} ms
     * @return what changed, e.g. {@code maxTotal 5 -> 8, minIdle 0 -> 2, maxWait 5000 ms (unchanged)}
     * @throws IllegalArgumentException naming every value out of bounds; nothing is changed then
     */
    public String resize(int newMaxTotal, int newMinIdle, Duration newMaxWait) {
        List<String> bad = new ArrayList<>();
        if (newMaxTotal < 1 || newMaxTotal > MAX_TOTAL_LIMIT) {
            bad.add("maxTotal must be between 1 and " + MAX_TOTAL_LIMIT + ", but was " + newMaxTotal);
        }
        if (newMinIdle < 0 || newMinIdle > Math.max(1, newMaxTotal)) {
            bad.add("minIdle must be between 0 and maxTotal (" + newMaxTotal + "), but was " + newMinIdle);
        }
        long waitMillis = newMaxWait == null ? -1 : newMaxWait.toMillis();
        if (waitMillis < 1 || waitMillis > MAX_WAIT_LIMIT_MILLIS) {
            bad.add("maxWaitMillis must be between 1 and " + MAX_WAIT_LIMIT_MILLIS + ", but was " + waitMillis);
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("pool " + database + "/" + role + " not resized: " + String.join("; ", bad));
        }
        synchronized (control) {
            String summary = change("maxTotal", maxTotal, newMaxTotal, "") + ", " + change("minIdle", minIdle, newMinIdle, "")
                    + ", " + change("maxWait", maxWait.toMillis(), waitMillis, " ms");
            // order keeps minIdle <= maxIdle <= maxTotal at every step, growing or shrinking
            int oldMaxTotal = maxTotal;
            if (newMaxTotal >= maxTotal) {
                dataSource.setMaxTotal(newMaxTotal);
                dataSource.setMaxIdle(newMaxTotal);
            }
            dataSource.setMinIdle(newMinIdle);
            if (newMaxTotal < maxTotal) {
                dataSource.setMaxIdle(newMaxTotal);
                dataSource.setMaxTotal(newMaxTotal);
            }
            dataSource.setNumTestsPerEvictionRun(newMaxTotal);
            dataSource.setMaxWait(Duration.ofMillis(waitMillis));
            this.maxTotal = newMaxTotal;
            this.minIdle = newMinIdle;
            this.maxWait = Duration.ofMillis(waitMillis);
            GenericObjectPool<PoolableConnection> p = dataSource.getConnectionPool();
            if (p != null) {
                if (newMaxTotal < oldMaxTotal) {
                    bumpParkEpoch(); // parked connections count against the new maximum in DBCP2's deque
                    unparkAll();
                }
                trimIdle(p, newMaxTotal);
                // borrowers already waiting in DBCP2 wake only when a connection becomes idle:
                // open one for each that the larger pool now has room for
                int room = newMaxTotal - p.getNumActive() - p.getNumIdle();
                int wake = Math.max(0, Math.min(p.getNumWaiters(), room));
                if (wake > 0 || newMinIdle > p.getNumIdle()) {
                    inBackground(() -> {
                        for (int i = 0; i < wake; i++) {
                            p.addObject();
                        }
                        p.preparePool();
                    });
                }
            }
            return summary;
        }
    }

    /**
     * DBCP2 only closes connections above a lowered maximum as they come back; idle ones above it
     * are closed here, so that the pool is within its new size unless more are in use.
     */
    private void trimIdle(GenericObjectPool<PoolableConnection> p, int max) {
        int surplus = p.getNumActive() + p.getNumIdle() - max;
        for (int i = 0; i < surplus && p.getNumIdle() > 0; i++) {
            try {
                PoolableConnection c = p.borrowObject(Duration.ZERO);
                p.invalidateObject(c);
            } catch (Exception none) {
                return; // no idle one left to take
            }
        }
    }

    private interface PoolWork {
        void run() throws Exception;
    }

    private void inBackground(PoolWork work) {
        try {
            opener.execute(() -> {
                try {
                    work.run();
                } catch (Exception ignored) {
                    // the server may be down; the pool opens connections on demand
                }
            });
        } catch (RejectedExecutionException closed) {
            // the pool is closing
        }
    }

    private static String change(String name, long from, long to, String unit) {
        return from == to ? name + " " + to + unit + " (unchanged)" : name + " " + from + unit + " -> " + to + unit;
    }

    /**
     * Replaces every connection without failing work in flight: idle connections are closed now,
     * borrowed ones are closed when they are returned instead of going back to the pool. New
     * connections are opened on demand, from the factory as it is now (a rotated password, the
     * host a multi-host URL resolves to now).
     *
     * @return how many idle connections were closed and how many borrowed ones will close on return
     */
    public Eviction softEvict() {
        synchronized (control) {
            int inUse = borrowers.size();
            generation++;
            connectedIn.keySet().removeIf(ManagedPool::isClosedQuietly);
            return new Eviction(clearIdle(), inUse);
        }
    }

    /**
     * What {@link #softEvict()} did.
     *
     * @param idleClosed idle connections closed at once
     * @param inUseOnReturn borrowed connections that close when returned
     */
    public record Eviction(int idleClosed, int inUseOnReturn) {
        @Override
        public String toString() {
            return idleClosed + " idle connection" + (idleClosed == 1 ? "" : "s") + " closed, " + inUseOnReturn
                    + " in use close" + (inUseOnReturn == 1 ? "s" : "") + " when returned";
        }
    }

    /**
     * Re-reads the password from its {@code env:}/{@code file:} source, tries it with one login
     * and, if the server accepts it, makes every new connection of this pool (and the operations
     * of a primary) use it and soft-evicts the connections opened with the old one. Work in flight
     * is not failed. Blocks for the test login (at most the connect and login timeouts).
     *
     * @return what was done, naming the source (never the value)
     * @throws IllegalStateException if the password is literal, the source cannot be read, or the
     *     server refuses the new password; nothing is changed then
     */
    public String rotateCredentials() {
        synchronized (control) {
            String source = factory.passwordSource();
            Secret next = factory.rereadPassword().orElseThrow(() -> new IllegalStateException(
                    "pool " + database + "/" + role + " has no password configured; nothing to rotate"));
            if (next.reveal().equals(factory.password())) {
                return "password from " + source + " is unchanged; nothing done";
            }
            try (Connection tried = factory.withPassword(next).open(factory.applicationName(role + "-rotate"))) {
                tried.isValid(1);
            } catch (SQLException e) {
                throw new IllegalStateException("the password read from " + source + " was not accepted ("
                        + e.getMessage() + "); nothing changed, the pool keeps the current password");
            }
            factory.usePassword(next);
            return "password re-read from " + source + " and accepted by a test login; " + softEvict();
        }
    }

    private int clearIdle() {
        int before = idle();
        unparkAll();
        GenericObjectPool<?> p = dataSource.getConnectionPool();
        if (p == null) {
            return 0;
        }
        p.clear();
        return Math.max(0, before - idle());
    }

    /**
     * A connection went back to the pool; if a soft eviction happened while it was on its way
     * (after its generation was compared), it may have landed among the idle ones: clear them
     * again rather than keep it.
     */
    private void afterReturn(int borrowedIn) {
        if (borrowedIn != generation) {
            clearIdle();
        }
    }

    /** Closes a borrowed connection instead of returning it, and frees its place in the pool. */
    private void invalidate(Connection pooled) throws SQLException {
        try {
            GenericObjectPool<PoolableConnection> p = dataSource.getConnectionPool();
            if (pooled instanceof PoolableConnection pc && p != null) {
                p.invalidateObject(pc);
            } else {
                dataSource.invalidateConnection(pooled);
            }
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new SQLException("could not close a connection of database '" + database + "' (" + role + ")", e);
        }
    }

    /**
     * Opens {@code minIdle} connections so the first calls don't pay for them. Failures are not
     * thrown: the pool retries on demand.
     */
    void warmUp() {
        List<Connection> opened = new ArrayList<>();
        try {
            for (int i = 0; i < minIdle; i++) {
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
        closed = true;
        bumpParkEpoch();
        unparkAll();
        opener.shutdown();
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
