package dev.dbagent.service;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.Timer;
import dev.dbagent.BreakerOpenException;
import dev.dbagent.OutcomeUnknownException;
import dev.dbagent.config.RetrySettings;
import dev.dbagent.internal.pool.Breakers;
import dev.dbagent.internal.pool.ConnectionProvider;
import dev.dbagent.internal.pool.Failures;
import dev.dbagent.internal.pool.ForwardingConnection;
import dev.dbagent.Intent;
import dev.dbagent.internal.pool.RoutedConnection;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.security.CodeSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Handles;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.extension.Extensions;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's way into one logical database: reads, writes and transactions through Jdbi,
 * guarded by a service-level circuit breaker, retried where a retry cannot duplicate an effect,
 * timed, and watched for slow calls.
 *
 * <h2>Calls</h2>
 * <ul>
 *   <li>{@link #read} may be served by a replica within the lag bound; {@link #readOwnWrites} by
 *       the primary. Both run read-only — in autocommit on a read-only session when the provider
 *       enforces read-only sessions ({@link ConnectionProvider#readOnlySessions()}, as the agent's
 *       router does), otherwise in a {@code READ ONLY} transaction — so the server refuses writes
 *       and a retry after a lost connection is harmless.</li>
 *   <li>{@link #write} runs the callback in one read-write transaction on the primary.</li>
 *   <li>{@link #transaction} does the same with explicit {@link TxOptions} (isolation level,
 *       read-only flag, statement timeout).</li>
 * </ul>
 * Each has a variant taking a Jdbi SqlObject DAO type, attached to the call's handle. The handle
 * is valid only inside the callback (used later, it throws); do not begin, commit or roll back on
 * it, and do not change its configuration (register mappers and plugins once, through
 * {@link Builder#configureJdbi}): for speed, each thread keeps one handle, and the DAOs attached to
 * it, from call to call, lending it the call's pooled connection. After a failed call the thread
 * starts again with a fresh handle. Plain {@code @SqlQuery}/{@code @SqlUpdate} methods of a DAO run
 * on a direct statement path that gives what Jdbi gives (same SQL, arguments, mappers, collectors,
 * exceptions and slow-call records) without building a Jdbi statement; a Jdbi customised through
 * {@link Builder#configureJdbi} always runs Jdbi's own statements.
 *
 * <h2>Errors</h2>
 * Everything is unchecked except what the callback itself declares ({@code X}), which is
 * rethrown unchanged. A caller can catch:
 * <ul>
 *   <li>{@link BreakerOpenException} - this service's breaker (layer {@code service}, role
 *       {@code *}) or a pool breaker rejected the call without touching the network;</li>
 *   <li>{@link dev.dbagent.PoolExhaustedException} - no connection within the pool's max wait;
 *       backpressure, so neither retried nor counted by a breaker;</li>
 *   <li>{@link OutcomeUnknownException} - the connection died during COMMIT and the outcome could
 *       not be resolved; {@link OutcomeUnknownException#transactionId()} names the transaction;</li>
 *   <li>{@link TransactionRolledBackException} - the connection died during COMMIT and the server
 *       confirmed the transaction was aborted;</li>
 *   <li>Jdbi's {@link org.jdbi.v3.core.JdbiException} subtypes for everything else: constraint
 *       violations, syntax errors, serialization failures after the last retry, and connection
 *       failures (cause: the driver's {@link SQLException}; classify with
 *       {@link Failures#isInfrastructure(Throwable)}). A failure of the service's own statements
 *       (transaction id, transaction set-up) arrives as an
 *       {@link UnableToExecuteStatementException} too: no raw driver exception reaches a caller.</li>
 * </ul>
 *
 * <h2>Retries</h2>
 * An attempt is repeated, with exponential backoff and jitter, within {@link RetrySettings#maxAttempts()}
 * and {@link RetrySettings#maxTotal()}, only when: acquiring the connection failed with an
 * infrastructure failure (nothing ran yet; a full pool is not retried); a read-only call lost its
 * connection; a read-write transaction lost its connection before COMMIT was sent (the server
 * rolls back the transaction of a session that ends, so nothing of it happened); the whole
 * transaction failed with SQLSTATE 40001 or 40P01 (the server rolled it back); or a statement
 * failed before COMMIT because its server-side prepared statement went stale (26000, or 0A000
 * "cached plan must not change result type" after another instance changed the table:
 * {@link Failures#isStalePreparedStatement(Throwable)}); or a write or transaction was refused
 * with 25006 ({@code read_only_sql_transaction}) by a server that reports
 * {@code pg_is_in_recovery()}: the primary pool's connection is on a standby (after a failover, or
 * a multi-host URL that preferred a standby while the primary was away), the statement did
 * nothing, and the primary pool evicts its connections so that the retry resolves the URL again
 * ({@code targetServerType=primary} finds the host that is primary now). Such a 25006 is not an
 * infrastructure failure and no breaker counts it: the connect failures while no primary exists
 * are counted by the pool breaker, and a 25006 fails fast. A 25006 on a server not in recovery
 * (the application made its transaction read-only) is the caller's and is neither retried nor
 * acted on. A connection found dead tells its pool
 * to close its idle connections, so that the retry gets a fresh one. The callback
 * therefore may run more than once and must not have effects outside the database that cannot be
 * repeated. A read-write transaction whose connection died during COMMIT is never repeated: its
 * outcome is asked from the server ({@code pg_xact_status}) on a new connection.
 *
 * <p>Thread-safe; one instance per database is shared by all threads. Every call blocks the
 * calling thread for at most the retry budget plus its last attempt (the pool's max wait, then a
 * socket timeout per round trip), plus, when COMMIT was in flight on a lost connection, another
 * retry budget to ask the server about it.
 */
public final class DatabaseService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseService.class);
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final CodeSource OWN_CODE = codeSource(DatabaseService.class);
    private static final int SQL_MAX = 2000;
    private static final String TXID_SQL = "SELECT pg_current_xact_id_if_assigned()::text";
    private static final TxOptions READ_ONLY = TxOptions.DEFAULT.withReadOnly(true);
    /** Each backoff doubles the last, randomised by ±50% so that many callers don't retry in step. */
    private static final double BACKOFF_MULTIPLIER = 2.0;
    private static final double BACKOFF_JITTER = 0.5;

    private final String agentName;
    private final String database;
    private final ConnectionProvider provider;
    private final long retryBudgetNanos;
    private final long slowNanos;
    private final ServiceSettings settings;
    private final Clock clock;
    private final MetricRegistry registry;
    private final String prefix;
    private final Jdbi jdbi;
    private final CircuitBreaker breaker;
    private final Retry retry;
    private final IntervalFunction backoff;
    private final ThreadLocal<CallContext> current = new ThreadLocal<>();
    private final ThreadLocal<Lent> lent = new ThreadLocal<>();
    private final ThreadLocal<Lent> opening = new ThreadLocal<>();
    private final Map<CallKind, Timer> timers = new EnumMap<>(CallKind.class);
    private final Map<ErrorClass, Counter> errors = new EnumMap<>(ErrorClass.class);
    private final Counter retries;
    private final Counter outcomeUnknown;
    private final Counter slowQueries;
    private final SlowQueryLog slowLog;
    private final LongAdder calls = new LongAdder();
    private final LongAdder failedCalls = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> errorsByType = new ConcurrentHashMap<>();
    /** Whether plain SqlObject methods take {@link DirectSql}'s path (not when the Jdbi was customised). */
    private final boolean direct;
    private final LongAdder directStatements = new LongAdder();
    private final LongAdder directPlans = new LongAdder();

    private DatabaseService(Builder b) {
        this.agentName = b.agentName;
        this.provider = b.provider;
        this.retryBudgetNanos = b.settings.retry().maxTotal().toNanos();
        this.slowNanos = b.settings.slowQueryThreshold().toNanos();
        this.database = b.provider.database();
        this.settings = b.settings;
        this.clock = b.clock;
        this.registry = b.registry;
        this.prefix = "dbagent." + agentName + "." + database;
        this.slowLog = new SlowQueryLog(settings.slowQueryBuffer());

        this.jdbi = Jdbi.create(new LentConnectionFactory());
        jdbi.installPlugin(new SqlObjectPlugin()).installPlugin(new PostgresPlugin());
        // The service ends every transaction itself, also on a dead connection where Jdbi's
        // check would only add a second exception.
        jdbi.getConfig(Handles.class).setForceEndTransactions(false);
        jdbi.setSqlLogger(new StatementRecorder());
        if (b.jdbiCustomizer != null) {
            b.jdbiCustomizer.accept(jdbi);
            this.direct = false;
        } else {
            // Only on a Jdbi the service configured alone: a customiser may add statement
            // customisers or context listeners, which the direct path cannot see.
            this.direct = true;
            jdbi.getConfig(Extensions.class).registerHandlerCustomizer(DirectSql.INSTANCE);
        }

        this.breaker = CircuitBreaker.of(prefix + ".service", Breakers.config(settings.breaker(), clock));

        RetrySettings rs = settings.retry();
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(
                rs.initialBackoff(), BACKOFF_MULTIPLIER, BACKOFF_JITTER, rs.maxBackoff());
        RetryConfig retryConfig = RetryConfig.custom()
                .maxAttempts(rs.maxAttempts())
                .retryOnException(t -> t instanceof RetryableFailure)
                .intervalBiFunction((attempt, outcome) -> {
                    long wait = backoff.apply(attempt);
                    if (outcome.isLeft() && outcome.getLeft() instanceof RetryableFailure rf) {
                        wait = Math.min(wait, Math.max(1L, rf.remainingMillis()));
                    }
                    return wait;
                })
                .build();
        this.retry = Retry.of(prefix + ".service", retryConfig);

        for (CallKind kind : CallKind.values()) {
            // bounded (1,028 samples, weighted to the last five minutes) and lock-free: a time window
            // would hold every call of its span (millions under load) and sort them at each read
            timers.put(kind, registry.timer(prefix + "." + kind.metricName() + ".calls",
                    () -> new Timer(LockFreeExponentiallyDecayingReservoir.builder().build())));
        }
        for (ErrorClass ec : ErrorClass.values()) {
            errors.put(ec, registry.counter(prefix + ".service.errors." + ec.metricName));
        }
        this.retries = registry.counter(prefix + ".service.retries");
        this.outcomeUnknown = registry.counter(prefix + ".service.outcome-unknown");
        this.slowQueries = registry.counter(prefix + ".service.slow-queries");
        String stateName = prefix + ".service.breaker.state";
        registry.remove(stateName);
        registry.register(stateName, (Gauge<Integer>) () -> breaker.getState().getOrder());
        retry.getEventPublisher().onRetry(event -> retries.inc());
    }

    /**
     * Starts building a service over a connection provider.
     *
     * @param provider hands out routed connections of one logical database
     * @return a builder with default settings, agent name {@code default}, a fresh metric
     *     registry and the UTC system clock
     */
    public static Builder builder(ConnectionProvider provider) {
        return new Builder(provider);
    }

    // ---------------------------------------------------------------- calls

    /**
     * Runs a read-only callback on a replica within the lag bound, or the primary.
     *
     * @param callback gets a handle valid for this call only; may run more than once
     * @param <R> result type
     * @param <X> checked exception the callback may throw, rethrown unchanged
     * @return the callback's result
     * @throws X whatever the callback throws
     * @throws BreakerOpenException if a breaker rejected the call
     * @throws dev.dbagent.PoolExhaustedException if no connection became free, after retries
     * @throws org.jdbi.v3.core.JdbiException for SQL errors and lost connections after retries
     */
    public <R, X extends Exception> R read(HandleCallback<R, X> callback) throws X {
        return call(CallKind.READ, READ_ONLY, callback);
    }

    /**
     * Runs a read-only callback with a SqlObject DAO, on a replica or the primary.
     *
     * @param dao the SqlObject interface to attach
     * @param callback gets the attached DAO; may run more than once
     * @param <D> DAO type
     * @param <R> result type
     * @return the callback's result
     * @throws BreakerOpenException if a breaker rejected the call
     * @throws org.jdbi.v3.core.JdbiException for SQL errors and lost connections after retries
     */
    public <D, R> R read(Class<D> dao, Function<D, R> callback) {
        Objects.requireNonNull(dao, "dao");
        return read(h -> callback.apply(dao(h, dao)));
    }

    /**
     * Runs a read-only callback on the primary, so it sees every write committed before.
     *
     * @param callback gets a handle valid for this call only; may run more than once
     * @param <R> result type
     * @param <X> checked exception the callback may throw, rethrown unchanged
     * @return the callback's result
     * @throws X whatever the callback throws
     * @throws BreakerOpenException if a breaker rejected the call
     * @throws org.jdbi.v3.core.JdbiException for SQL errors and lost connections after retries
     */
    public <R, X extends Exception> R readOwnWrites(HandleCallback<R, X> callback) throws X {
        return call(CallKind.READ_OWN_WRITES, READ_ONLY, callback);
    }

    /**
     * Runs a read-only callback with a SqlObject DAO on the primary.
     *
     * @param dao the SqlObject interface to attach
     * @param callback gets the attached DAO; may run more than once
     * @param <D> DAO type
     * @param <R> result type
     * @return the callback's result
     * @throws BreakerOpenException if a breaker rejected the call
     * @throws org.jdbi.v3.core.JdbiException for SQL errors and lost connections after retries
     */
    public <D, R> R readOwnWrites(Class<D> dao, Function<D, R> callback) {
        Objects.requireNonNull(dao, "dao");
        return readOwnWrites(h -> callback.apply(dao(h, dao)));
    }

    /**
     * Runs a callback in one read-write transaction on the primary, with the server's default
     * isolation level. Committed when the callback returns, rolled back when it throws.
     *
     * @param callback gets a handle valid for this call only; runs again only if the server
     *     rolled the whole transaction back (40001, 40P01)
     * @param <R> result type
     * @param <X> checked exception the callback may throw, rethrown unchanged
     * @return the callback's result, once committed
     * @throws X whatever the callback throws
     * @throws BreakerOpenException if a breaker rejected the call
     * @throws OutcomeUnknownException if the connection died during COMMIT and the outcome is unknown
     * @throws TransactionRolledBackException if the connection died during COMMIT and the server aborted it
     * @throws org.jdbi.v3.core.JdbiException for SQL errors and lost connections
     */
    public <R, X extends Exception> R write(HandleCallback<R, X> callback) throws X {
        return call(CallKind.WRITE, TxOptions.DEFAULT, callback);
    }

    /**
     * Runs a callback with a SqlObject DAO in one read-write transaction on the primary.
     *
     * @param dao the SqlObject interface to attach
     * @param callback gets the attached DAO
     * @param <D> DAO type
     * @param <R> result type
     * @return the callback's result, once committed
     * @throws BreakerOpenException if a breaker rejected the call
     * @throws OutcomeUnknownException if the connection died during COMMIT and the outcome is unknown
     * @throws TransactionRolledBackException if the connection died during COMMIT and the server aborted it
     * @throws org.jdbi.v3.core.JdbiException for SQL errors and lost connections
     */
    public <D, R> R write(Class<D> dao, Function<D, R> callback) {
        Objects.requireNonNull(dao, "dao");
        return write(h -> callback.apply(dao(h, dao)));
    }

    /**
     * Runs a callback in one transaction on the primary with explicit options. A read-only
     * transaction is retried like a read; a read-write one like {@link #write}.
     *
     * @param options isolation level, read-only flag, statement timeout
     * @param callback gets a handle valid for this call only
     * @param <R> result type
     * @param <X> checked exception the callback may throw, rethrown unchanged
     * @return the callback's result, once committed
     * @throws X whatever the callback throws
     * @throws BreakerOpenException if a breaker rejected the call
     * @throws OutcomeUnknownException if the connection died during COMMIT and the outcome is unknown
     * @throws TransactionRolledBackException if the connection died during COMMIT and the server aborted it
     * @throws org.jdbi.v3.core.JdbiException for SQL errors (57014 after a statement timeout) and lost connections
     */
    public <R, X extends Exception> R transaction(TxOptions options, HandleCallback<R, X> callback) throws X {
        Objects.requireNonNull(options, "options");
        return call(CallKind.TRANSACTION, options, callback);
    }

    /**
     * Runs a callback with a SqlObject DAO in one transaction with explicit options.
     *
     * @param options isolation level, read-only flag, statement timeout
     * @param dao the SqlObject interface to attach
     * @param callback gets the attached DAO
     * @param <D> DAO type
     * @param <R> result type
     * @return the callback's result, once committed
     * @throws BreakerOpenException if a breaker rejected the call
     * @throws OutcomeUnknownException if the connection died during COMMIT and the outcome is unknown
     * @throws TransactionRolledBackException if the connection died during COMMIT and the server aborted it
     * @throws org.jdbi.v3.core.JdbiException for SQL errors and lost connections
     */
    public <D, R> R transaction(TxOptions options, Class<D> dao, Function<D, R> callback) {
        Objects.requireNonNull(dao, "dao");
        return transaction(options, h -> callback.apply(dao(h, dao)));
    }

    // ---------------------------------------------------------------- observation

    /** @return the logical database name */
    public String database() {
        return database;
    }

    /** @return the agent name used in metric names */
    public String agentName() {
        return agentName;
    }

    /** @return the settings this service runs with */
    public ServiceSettings settings() {
        return settings;
    }

    /**
     * @return the service-level breaker, for the JMX layer (state, metrics, forcing open or
     *     closed, events). Thread-safe.
     */
    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    /** @return the Resilience4j retry, for its metrics and events. Thread-safe. */
    public Retry retry() {
        return retry;
    }

    /** @return the prefix of this service's metric names, {@code dbagent.<agent>.<db>} */
    public String metricPrefix() {
        return prefix;
    }

    /** @return calls made since start (read, readOwnWrites, write, transaction), whatever their outcome */
    public long callCount() {
        return calls.sum();
    }

    /** @return calls that ended with an exception thrown to the caller, since start */
    public long errorCount() {
        return failedCalls.sum();
    }

    /**
     * @return failed calls by the fully qualified class name of the exception the caller
     *     received, largest count first; a snapshot
     */
    public Map<String, Long> errorsByExceptionClass() {
        Map<String, Long> out = new LinkedHashMap<>();
        errorsByType.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue().sum()))
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** @return the most recent slow calls, newest first, at most the configured buffer size */
    public List<SlowQuery> slowQueries() {
        return slowLog.snapshot();
    }

    /** @return slow calls since start, including those no longer in the buffer */
    public long slowQueryCount() {
        return slowLog.total();
    }

    /** Empties the slow-call buffer (the counter keeps counting). */
    public void clearSlowQueries() {
        slowLog.clear();
    }

    /** @return retries performed since start */
    public long retryCount() {
        return retries.getCount();
    }

    /** @return statements of SqlObject methods run on the direct path since start (0 when the Jdbi was customised) */
    long directStatementCount() {
        return directStatements.sum();
    }

    /** @return direct-path plans made since start, one per thread's handle and method */
    long directPlanCount() {
        return directPlans.sum();
    }

    /** @return writes whose outcome could not be resolved since start */
    public long outcomeUnknownCount() {
        return outcomeUnknown.getCount();
    }

    /**
     * Removes this service's metrics from the registry. Calls still work afterwards but are no
     * longer visible in it. Idempotent.
     */
    @Override
    public void close() {
        registry.removeMatching((name, metric) -> name.startsWith(prefix + ".read.")
                || name.startsWith(prefix + ".write.") || name.startsWith(prefix + ".transaction.")
                || name.startsWith(prefix + ".service."));
    }

    @Override
    public String toString() {
        return "DatabaseService[agent=" + agentName + ", database=" + database + ", breaker=" + breaker.getState() + "]";
    }

    // ---------------------------------------------------------------- internals

    private <R, X extends Exception> R call(CallKind kind, TxOptions options, HandleCallback<R, X> callback) throws X {
        Objects.requireNonNull(callback, "callback");
        long start = System.nanoTime();
        CallContext context = new CallContext(kind, start + retryBudgetNanos);
        CallContext outer = current.get();
        current.set(context);
        Throwable failure = null;
        try {
            return breaker.executeCheckedSupplier(() -> {
                try {
                    return Retry.decorateCheckedSupplier(retry, () -> attempt(context, options, callback)).get();
                } catch (RetryableFailure rf) {
                    throw rf.getCause();
                }
            });
        } catch (CallNotPermittedException e) {
            BreakerOpenException rejected = new BreakerOpenException(database, "service", "*",
                    Breakers.rejectingState(breaker.getState()).name());
            failure = rejected;
            throw rejected;
        } catch (Throwable t) {
            failure = t;
            throw DatabaseService.<RuntimeException>sneaky(t);
        } finally {
            current.set(outer); // null keeps the thread's entry: no allocation on the next call
            long took = System.nanoTime() - start;
            timers.get(kind).update(took, TimeUnit.NANOSECONDS);
            calls.increment();
            if (failure != null) {
                failedCalls.increment();
                errors.get(ErrorClass.of(failure)).inc();
                errorsByType.computeIfAbsent(failure.getClass().getName(), k -> new LongAdder()).increment();
            }
            if (took >= slowNanos) {
                recordSlow(context, took);
            }
        }
    }

    private <R, X extends Exception> R attempt(CallContext c, TxOptions options, HandleCallback<R, X> callback)
            throws X {
        c.attempts++;
        boolean readOnly = options.readOnly();
        Handle h = openHandle(c);
        if (readOnly && c.kind != CallKind.TRANSACTION && provider.readOnlySessions() && plainRead(options)) {
            return autocommitRead(c, h, callback);
        }
        boolean committing = false;
        R result = null;
        String txid = null;
        try {
            // Also for writes: a connection last used for a read is still read-only.
            h.setReadOnly(readOnly);
            h.begin();
            String setup = setupSql(options);
            if (setup != null) {
                runOwn(h, setup);
            }
            result = callback.withHandle(h);
            if (!readOnly) {
                txid = currentTransactionId(h);
            }
            committing = true;
            h.commit();
            c.lent.keep = true;
            return result;
        } catch (Throwable t) {
            boolean infrastructure = Failures.isInfrastructure(t);
            if (infrastructure) {
                provider.connectionLost(c.role, t);
            }
            if (committing && !readOnly && infrastructure) {
                String ranOn = serverOf(h.getConnection());
                release(c);
                h = null;
                return resolveOutcome(txid, ranOn, result, t);
            }
            rollbackQuietly(h);
            // A write refused with 25006 on a session that asked for read-write ran on a standby:
            // the primary pool still holds connections to a server that was demoted, or that a
            // multi-host URL or virtual IP led it to. Nothing of the transaction happened (the
            // server refused the statement before COMMIT), so it is retried on a connection the
            // pool opens anew after evicting the ones on the standby. When the server is not in
            // recovery the application made its transaction read-only itself: its own error.
            boolean onStandby = !readOnly && !committing && Failures.isReadOnlyTransaction(t) && inRecovery(h);
            if (onStandby) {
                provider.connectionLost(c.role, t);
            }
            String state = Failures.sqlState(t);
            // COMMIT was not sent (or this is a read): the server rolls back the transaction of a
            // session that ends, so after a lost connection nothing of it happened and it is retried.
            // A prepared statement gone stale under another instance's DDL (0A000 "cached plan must
            // not change result type") aborted the transaction before COMMIT; pgJDBC re-prepares on
            // the next attempt, so repeating it is as safe as after 40001.
            boolean retryable = "40001".equals(state) || "40P01".equals(state) || infrastructure || onStandby
                    || (!committing && Failures.isStalePreparedStatement(t));
            throw sneaky(retryIf(retryable, c, t));
        } finally {
            if (h != null) {
                release(c);
            }
        }
    }

    /**
     * Asks the server of a connection whose write was refused with 25006 whether it is a standby:
     * one round trip, on this failure path only. A connection that cannot answer is not taken as
     * a standby; if it died, the next attempt finds that out.
     */
    private boolean inRecovery(Handle h) {
        try (Statement st = h.getConnection().createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
            return rs.next() && rs.getBoolean(1);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("cannot ask database '{}' whether it is in recovery", database, e);
            return false;
        }
    }

    /** A read with no isolation level or timeout of its own needs no explicit transaction. */
    private static boolean plainRead(TxOptions options) {
        return (options.isolation() == TransactionIsolationLevel.UNKNOWN
                || options.isolation() == TransactionIsolationLevel.NONE) && options.timeout().isZero();
    }

    /**
     * A read in autocommit on a read-only session: pools run pgJDBC with
     * {@code readOnlyMode=always}, so {@code setReadOnly(true)} makes the session itself read-only
     * (one round trip, only when the connection was last used for a write) and every statement
     * runs in its own read-only transaction. The server refuses writes, so retrying a read that
     * lost its connection cannot repeat an effect, and no COMMIT round trip is paid. The session
     * stays read-only for the next read; a write switches it back.
     */
    private <R, X extends Exception> R autocommitRead(CallContext c, Handle h, HandleCallback<R, X> callback)
            throws X {
        try {
            h.setReadOnly(true);
            R result = callback.withHandle(h);
            c.lent.keep = true;
            return result;
        } catch (Throwable t) {
            boolean infrastructure = Failures.isInfrastructure(t);
            if (infrastructure) {
                provider.connectionLost(c.role, t);
            }
            // a read: repeating it after a stale prepared statement (pgJDBC heals most of these itself) changes nothing
            throw sneaky(retryIf(infrastructure || Failures.isStalePreparedStatement(t), c, t));
        } finally {
            release(c);
        }
    }

    private static String setupSql(TxOptions options) {
        if (plainRead(options)) {
            return null;
        }
        StringBuilder sql = new StringBuilder();
        if (options.isolation() != TransactionIsolationLevel.UNKNOWN
                && options.isolation() != TransactionIsolationLevel.NONE) {
            sql.append("SET TRANSACTION ISOLATION LEVEL ").append(isolationSql(options.isolation())).append(';');
        }
        if (!options.timeout().isZero()) {
            sql.append("SET LOCAL statement_timeout = ").append(Math.max(1, options.timeout().toMillis())).append(';');
        }
        return sql.length() == 0 ? null : sql.toString();
    }

    private static String isolationSql(TransactionIsolationLevel level) {
        return switch (level) {
            case READ_UNCOMMITTED -> "READ UNCOMMITTED";
            case READ_COMMITTED -> "READ COMMITTED";
            case REPEATABLE_READ -> "REPEATABLE READ";
            case SERIALIZABLE -> "SERIALIZABLE";
            default -> throw new IllegalArgumentException("unsupported isolation level " + level);
        };
    }

    /**
     * The transaction id is read before COMMIT, in a round trip of its own, because a COMMIT cut
     * off by a lost connection can be resolved only with an id the client already holds: sent
     * together with COMMIT, its answer would be lost with COMMIT's. Prepared, so that pgJDBC
     * keeps it as a named server-side statement of the connection (no parse or plan per write).
     *
     * @return the transaction's xid8 as text, or null when it wrote nothing (no xid assigned)
     */
    private static String currentTransactionId(Handle h) {
        String sql = TXID_SQL;
        try (PreparedStatement ps = h.getConnection().prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw ownStatementFailed(sql, e);
        }
    }

    /** Runs one of the service's own statements (transaction setup) on the call's connection. */
    private static void runOwn(Handle h, String sql) {
        try (Statement st = h.getConnection().createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw ownStatementFailed(sql, e);
        }
    }

    /**
     * The driver's exception of a statement the service ran itself, as the Jdbi exception the
     * callback's statements fail with, so that a caller never sees a raw driver exception.
     */
    private static UnableToExecuteStatementException ownStatementFailed(String sql, SQLException e) {
        return new UnableToExecuteStatementException("dbagent's own statement [" + sql + "] failed: "
                + e.getMessage(), e, null);
    }

    /**
     * The host and port the driver connected this connection to (no round trip: pgJDBC keeps it,
     * also after the connection died), or null if it cannot say.
     */
    private static String serverOf(java.sql.Connection c) {
        try {
            return c.unwrap(org.postgresql.core.BaseConnection.class).getQueryExecutor().getHostSpec().toString();
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The connection died while COMMIT was in flight: ask the server on a new connection what
     * became of the transaction. Never repeats the transaction.
     *
     * <p>Only the server the transaction ran on can answer. After a failover a multi-host URL
     * leads the new connection to another server (the promoted standby); if the transaction's
     * WAL never reached it, it may since have given the same transaction id to a transaction of
     * its own, and {@code pg_xact_status} would describe that one. So when the asking connection
     * is on another host than the lost one, the outcome is reported unknown.
     */
    private <R> R resolveOutcome(String txid, String ranOn, R result, Throwable commitFailure) {
        if (txid == null) {
            // No xid was assigned, so the transaction changed nothing: committing it or not is the same.
            LOG.warn("connection to database '{}' was lost during COMMIT of a transaction that wrote nothing; "
                    + "returning its result", database);
            return result;
        }
        RetrySettings rs = settings.retry();
        long deadline = System.nanoTime() + rs.maxTotal().toNanos();
        int maxQueries = Math.max(3, rs.maxAttempts());
        String status = null;
        String askedOn = null;
        Throwable lastError = null;
        for (int i = 1; i <= maxQueries; i++) {
            try {
                TransactionStatus asked = transactionStatus(txid);
                status = asked.status();
                askedOn = asked.server();
                lastError = null;
            } catch (SQLException | RuntimeException e) {
                lastError = e;
            }
            if (lastError == null && ranOn != null && askedOn != null && !ranOn.equals(askedOn)) {
                break; // another server answers for the primary now: its word is not about this transaction
            }
            if ("committed".equals(status)) {
                LOG.warn("connection to database '{}' was lost during COMMIT of transaction {}; "
                        + "the server reports it committed", database, txid);
                return result;
            }
            if ("aborted".equals(status)) {
                throw new TransactionRolledBackException(database, txid, commitFailure);
            }
            if (lastError == null && status == null) {
                break; // the server no longer knows the transaction: asking again will not help
            }
            long wait = TimeUnit.MILLISECONDS.toNanos(backoff.apply(i));
            if (i == maxQueries || System.nanoTime() + wait >= deadline) {
                break;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        outcomeUnknown.inc();
        String why;
        if (lastError == null && ranOn != null && askedOn != null && !ranOn.equals(askedOn)) {
            why = "it ran on " + ranOn + " and the primary is now " + askedOn
                    + ", which cannot tell whether that server committed it";
        } else if (lastError != null) {
            why = "the server could not be asked: " + lastError.getClass().getSimpleName()
                    + (Failures.sqlState(lastError) == null ? "" : " SQLSTATE " + Failures.sqlState(lastError));
        } else if (status == null) {
            why = "the server does not know the transaction any more";
        } else {
            why = "the server still reports it '" + status + "'";
        }
        OutcomeUnknownException unknown = new OutcomeUnknownException(database, txid, "connection to database '" + database
                + "' was lost during COMMIT of transaction " + txid + " and its outcome is unknown (" + why
                + "): check whether the write happened before repeating it", commitFailure);
        if (lastError != null) {
            unknown.addSuppressed(lastError);
        }
        LOG.error("{}", unknown.getMessage());
        throw unknown;
    }

    /** What {@code pg_xact_status} said, and the server that said it. */
    private record TransactionStatus(String status, String server) {}

    private TransactionStatus transactionStatus(String txid) throws SQLException {
        try (RoutedConnection rc = provider.acquire(Intent.WRITE);
             PreparedStatement ps = rc.connection().prepareStatement("SELECT pg_xact_status(?::xid8)")) {
            String server = serverOf(rc.connection());
            ps.setString(1, txid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new TransactionStatus(rs.getString(1), server);
            }
        }
    }

    private Throwable retryIf(boolean retryable, CallContext c, Throwable failure) {
        if (!retryable) {
            return failure;
        }
        long remaining = TimeUnit.NANOSECONDS.toMillis(c.deadlineNanos - System.nanoTime());
        if (remaining <= 0 || c.attempts >= settings.retry().maxAttempts()) {
            return failure;
        }
        return new RetryableFailure(failure, remaining);
    }

    private void rollbackQuietly(Handle h) {
        try {
            if (!h.getConnection().getAutoCommit()) {
                h.rollback();
            }
        } catch (SQLException | RuntimeException e) {
            // The connection is likely dead; closing it below lets the pool discard it.
            LOG.debug("rollback failed on database '{}'", database, e);
        }
    }

    /**
     * Borrows the attempt's connection and lends it to the calling thread's kept handle (opened
     * on the first call of the thread, or again after a failed call). A call made from inside
     * another call's callback gets a handle of its own for that call.
     */
    private Handle openHandle(CallContext c) {
        RoutedConnection rc;
        try {
            rc = provider.acquire(c.kind.intent());
        } catch (SQLException e) {
            throw sneaky(retryIf(Failures.isInfrastructure(e), c, new ConnectionException(e)));
        } catch (RuntimeException e) {
            throw sneaky(retryIf(Failures.isInfrastructure(e), c, e));
        }
        c.role = rc.role();
        Lent slot = lent.get();
        if (slot == null) {
            slot = new Lent();
            lent.set(slot);
        } else if (slot.current != null) {
            slot = new Lent();
        }
        slot.current = rc.connection();
        slot.keep = false;
        c.lent = slot;
        if (slot.handle == null) {
            opening.set(slot);
            try {
                slot.handle = jdbi.open();
            } catch (RuntimeException e) {
                boolean infrastructure = Failures.isInfrastructure(e);
                if (infrastructure) {
                    provider.connectionLost(c.role, e); // handed out dead: opening the handle found it so
                }
                release(c);
                throw sneaky(retryIf(infrastructure, c, e));
            } finally {
                opening.remove();
            }
        }
        return slot.handle;
    }

    /**
     * Ends the attempt: the connection goes back to its pool. The thread keeps the handle for its
     * next call only if this one succeeded; after any failure it is closed, so nothing a failed
     * call left behind (a transaction, a statement, a dead connection) reaches the next call.
     */
    private void release(CallContext c) {
        Lent slot = c.lent;
        if (slot == null) {
            return;
        }
        c.lent = null;
        Connection connection = slot.current;
        if ((!slot.keep || slot != lent.get()) && slot.handle != null) {
            Handle h = slot.handle;
            slot.handle = null;
            slot.daos.clear();
            try {
                h.close();
            } catch (RuntimeException e) {
                LOG.debug("closing handle failed on database '{}'", database, e);
            }
        }
        slot.current = null;
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("returning a connection failed on database '{}'", database, e);
        }
    }

    /**
     * @return the DAO attached to the calling thread's kept handle, attached once per handle
     *     (attaching costs more than the query it runs); a nested call's handle attaches anew
     */
    private <D> D dao(Handle h, Class<D> type) {
        Lent slot = lent.get();
        if (slot == null || slot.handle != h) {
            return h.attach(type);
        }
        Object dao = slot.daos.get(type);
        if (dao == null) {
            dao = h.attach(type);
            slot.daos.put(type, dao);
        }
        return type.cast(dao);
    }

    private void recordSlow(CallContext c, long tookNanos) {
        SlowQuery q = new SlowQuery(Instant.now(clock), database, c.role, c.kind, Duration.ofNanos(tookNanos),
                SqlRedaction.redact(c.slowestSql, SQL_MAX), c.statements, c.attempts, callSite());
        slowLog.add(q);
        slowQueries.inc();
        LOG.warn("slow {} call on database '{}' ({}) took {} ms ({} statement(s), {} attempt(s)) at {}: {}",
                c.kind.metricName(), database, c.role, TimeUnit.NANOSECONDS.toMillis(tookNanos), c.statements,
                c.attempts, q.callSite(), q.sql());
    }

    private static String callSite() {
        return WALKER.walk(frames -> frames
                .filter(f -> !isInternal(f.getDeclaringClass()))
                .findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .orElse(""));
    }

    /**
     * dbagent's own classes (same code source as this one), Jdbi, Resilience4j and the JDK. A
     * dev.dbagent class from another jar or directory (an embedding application's or a test's)
     * is a call site.
     */
    private static boolean isInternal(Class<?> type) {
        String n = type.getName();
        if (n.startsWith("org.jdbi.") || n.startsWith("io.github.resilience4j.") || n.startsWith("java.")
                || n.startsWith("jdk.") || n.startsWith("sun.") || n.startsWith("com.sun.")) {
            return true;
        }
        return n.startsWith("dev.dbagent.") && !n.startsWith("dev.dbagent.demo.") && Objects.equals(codeSource(type), OWN_CODE);
    }

    private static CodeSource codeSource(Class<?> type) {
        try {
            return type.getProtectionDomain().getCodeSource();
        } catch (SecurityException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }

    /** Per-call state, used by the calling thread only. */
    private static final class CallContext {
        final CallKind kind;
        final long deadlineNanos;
        int attempts;
        int statements;
        String role = "-";
        String slowestSql;
        long slowestNanos = -1;
        Lent lent;

        CallContext(CallKind kind, long deadlineNanos) {
            this.kind = kind;
            this.deadlineNanos = deadlineNanos;
        }

        void statement(String sql, long nanos) {
            statements++;
            if (nanos > slowestNanos) {
                slowestNanos = nanos;
                slowestSql = sql;
            }
        }
    }

    /**
     * A thread's handle and the connection it is lent for the duration of one call. Jdbi's
     * per-handle work (a configuration copy, a transaction handler, the lookups it caches, and
     * above all attaching a SqlObject DAO) is paid once per thread instead of once per call; the
     * pooled connection is still borrowed per call and returned at its end. Used by its thread
     * only.
     */
    private final class Lent extends ForwardingConnection implements DirectSql.Host {
        Connection current;
        Handle handle;
        boolean keep;
        final Map<Class<?>, Object> daos = new HashMap<>();
        /** Set while {@link DirectSql} has Jdbi replay a failed statement: the next one is a stand-in. */
        DirectSql.Replay replay;

        @Override
        public boolean directAllowed() {
            return direct && current != null && replay == null;
        }

        @Override
        public boolean isOwnLogger(SqlLogger logger) {
            return logger instanceof StatementRecorder;
        }

        @Override
        public void noteStatement(String renderedSql, long nanos) {
            CallContext c = DatabaseService.this.current.get();
            if (c != null) {
                c.statement(renderedSql, nanos);
            }
        }

        @Override
        public void count(boolean plan) {
            (plan ? directPlans : directStatements).increment();
        }

        @Override
        public Object replaying(DirectSql.Replay r, DirectSql.ThrowingSupplier action) throws Exception {
            replay = r;
            try {
                return action.get();
            } finally {
                replay = null;
            }
        }

        /** @return the stand-in for a replayed failure (used once), or null for a real statement */
        private PreparedStatement standIn() throws SQLException {
            DirectSql.Replay r = replay;
            if (r == null) {
                return null;
            }
            replay = null;
            if (r.step() == DirectSql.Step.PREPARE) {
                throw r.failure();
            }
            return DirectSql.standIn(r);
        }

        @Override
        public PreparedStatement prepareStatement(String sql) throws SQLException {
            PreparedStatement s = standIn();
            return s != null ? s : super.prepareStatement(sql);
        }

        @Override
        public PreparedStatement prepareStatement(String sql, int type, int concurrency) throws SQLException {
            PreparedStatement s = standIn();
            return s != null ? s : super.prepareStatement(sql, type, concurrency);
        }

        @Override
        public PreparedStatement prepareStatement(String sql, int type, int concurrency, int holdability)
                throws SQLException {
            PreparedStatement s = standIn();
            return s != null ? s : super.prepareStatement(sql, type, concurrency, holdability);
        }

        @Override
        public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
            PreparedStatement s = standIn();
            return s != null ? s : super.prepareStatement(sql, autoGeneratedKeys);
        }

        @Override
        public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
            PreparedStatement s = standIn();
            return s != null ? s : super.prepareStatement(sql, columnIndexes);
        }

        @Override
        public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
            PreparedStatement s = standIn();
            return s != null ? s : super.prepareStatement(sql, columnNames);
        }

        @Override
        protected Connection delegate() throws SQLException {
            Connection c = current;
            if (c == null) {
                throw new SQLException("this handle of database '" + database
                        + "' belongs to a finished call: use a handle or DAO only inside its callback", "08003");
            }
            return c;
        }

        @Override
        public boolean isClosed() throws SQLException {
            Connection c = current;
            return c == null || c.isClosed();
        }

        /** Jdbi closing the handle does not return the connection: {@link #release} does. */
        @Override
        public void close() {
            // nothing: the connection belongs to the call, not to the handle
        }
    }

    /** Gives {@code jdbi.open()} the thread's {@link Lent} connection. */
    private final class LentConnectionFactory implements ConnectionFactory {
        @Override
        public Connection openConnection() throws SQLException {
            Lent l = opening.get();
            if (l == null) {
                throw new SQLException("the service's Jdbi opens handles only for its own calls on database '"
                        + database + "'", "08003");
            }
            return l;
        }
    }

    /** Notes each statement's rendered SQL (no bound values) and duration for slow-call reports. */
    private final class StatementRecorder implements SqlLogger {
        @Override
        public void logAfterExecution(StatementContext context) {
            note(context, context.getCompletionMoment());
        }

        @Override
        public void logException(StatementContext context, SQLException ex) {
            note(context, context.getExceptionMoment());
        }

        private void note(StatementContext context, Instant end) {
            CallContext c = current.get();
            if (c == null) {
                return;
            }
            Instant begin = context.getExecutionMoment();
            // plain arithmetic: a Duration per statement would be garbage on every call
            long nanos = begin == null || end == null ? 0
                    : (end.getEpochSecond() - begin.getEpochSecond()) * 1_000_000_000L + end.getNano() - begin.getNano();
            c.statement(context.getRenderedSql(), nanos);
        }
    }

    /**
     * Builds a {@link DatabaseService}. Not thread-safe; use from one thread, then discard.
     */
    public static final class Builder {
        private final ConnectionProvider provider;
        private String agentName = "default";
        private ServiceSettings settings = ServiceSettings.defaults();
        private MetricRegistry registry = new MetricRegistry();
        private Clock clock = Clock.systemUTC();
        private Consumer<Jdbi> jdbiCustomizer;

        private Builder(ConnectionProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
        }

        /**
         * @param name the agent's name, the second segment of metric names
         * @return this builder
         */
        public Builder agentName(String name) {
            this.agentName = Objects.requireNonNull(name, "agentName");
            return this;
        }

        /**
         * @param value slow-query, retry and breaker settings
         * @return this builder
         */
        public Builder settings(ServiceSettings value) {
            this.settings = Objects.requireNonNull(value, "settings");
            return this;
        }

        /**
         * @param value the registry the service's timers, counters and gauges are registered in
         * @return this builder
         */
        public Builder metrics(MetricRegistry value) {
            this.registry = Objects.requireNonNull(value, "metrics");
            return this;
        }

        /**
         * @param value the clock of the breaker's open-state wait and of slow-call timestamps
         * @return this builder
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * @param customizer called once with the service's Jdbi, to register mappers, argument
         *     factories or plugins; must not replace the SQL logger or open handles. With a
         *     customiser, DAO methods always run Jdbi's own statements (the direct statement path
         *     cannot see statement customisers or context listeners it may add)
         * @return this builder
         */
        public Builder configureJdbi(Consumer<Jdbi> customizer) {
            this.jdbiCustomizer = customizer;
            return this;
        }

        /** @return a new service; registers its metrics */
        public DatabaseService build() {
            return new DatabaseService(this);
        }
    }
}
