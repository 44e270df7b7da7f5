package dev.dbagent.internal.pool;

import dev.dbagent.Intent;
import dev.dbagent.BreakerOpenException;
import dev.dbagent.config.ReplicaBalance;
import dev.dbagent.config.ReplicaSettings;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one logical database's connections: writes, transactions and own-write reads to the
 * primary; other reads to a healthy replica whose replay lag is within the bound, else to the
 * primary. Several replicas share reads round robin or least busy.
 *
 * <p>Read-your-writes: after a {@link Intent#WRITE} acquisition, reads from the same thread go
 * to the primary for {@code readYourWritesMillis}.
 *
 * <p>Thread-safe; routing itself takes no lock.
 */
public final class DatabaseRouter implements ConnectionProvider {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseRouter.class);

    private final String database;
    private final ManagedPool primary;
    private final List<Replica> replicas;
    private final ReplicaSettings routing;
    private final RoutingStats stats = new RoutingStats();
    private final AtomicInteger next = new AtomicInteger();
    private final ThreadLocal<long[]> lastWrite = ThreadLocal.withInitial(() -> new long[] {Long.MIN_VALUE});

    DatabaseRouter(String database, ManagedPool primary, List<ManagedPool> replicaPools, ReplicaSettings routing) {
        this.database = database;
        this.primary = primary;
        this.replicas = replicaPools.stream().map(Replica::new).toList();
        this.routing = routing;
    }

    @Override
    public String database() {
        return database;
    }

    /**
     * Every pool runs pgJDBC with {@code readOnlyMode=always}, unless the database is behind a
     * transaction-mode pooler (the setting is per database, so the primary answers for all).
     */
    @Override
    public boolean readOnlySessions() {
        return primary.readOnlySessions();
    }

    /** @return the primary's pool */
    public ManagedPool primary() {
        return primary;
    }

    /** @return the replicas' pools, in configuration order */
    public List<ManagedPool> replicas() {
        return replicas.stream().map(r -> r.pool).toList();
    }

    /** @return primary and replicas */
    public List<ManagedPool> pools() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(primary), replicas.stream().map(r -> r.pool))
                .toList();
    }

    @Override
    public void connectionLost(String role, Throwable failure) {
        for (ManagedPool p : pools()) {
            if (p.role().equals(role)) {
                p.connectionLost(failure);
            }
        }
    }

    /** @return where reads and writes went, and why */
    public RoutingStats stats() {
        return stats;
    }

    /**
     * @param role {@code replica-N}
     * @return the last measured replay lag of that replica in milliseconds, -1 if unknown/unreachable
     */
    public long replicaLagMillis(String role) {
        return replicas.stream().filter(r -> r.pool.role().equals(role)).findFirst().map(r -> r.lagMillis).orElse(-1L);
    }

    @Override
    public RoutedConnection acquire(Intent intent) throws SQLException {
        if (intent == Intent.WRITE) {
            stats.write();
            lastWrite.get()[0] = System.nanoTime();
            return new RoutedConnection(writable(primary.acquire()), database, primary.role());
        }
        if (intent == Intent.READ_OWN_WRITES || withinReadYourWrites()) {
            stats.primaryRead(RoutingStats.Reason.OWN_WRITES);
            return new RoutedConnection(primary.acquire(), database, primary.role());
        }
        if (replicas.isEmpty()) {
            stats.primaryRead(RoutingStats.Reason.NO_REPLICAS);
            return new RoutedConnection(primary.acquire(), database, primary.role());
        }
        Replica chosen = choose();
        if (chosen == null) {
            stats.primaryRead(lastReason());
            return new RoutedConnection(primary.acquire(), database, primary.role());
        }
        try {
            Connection c = chosen.pool.acquire();
            stats.replicaRead(chosen.pool.role());
            return new RoutedConnection(c, database, chosen.pool.role());
        } catch (SQLException | BreakerOpenException | dev.dbagent.PoolExhaustedException e) {
            chosen.healthy = false;
            LOG.warn("read on database '{}' falls back to the primary: {} unavailable: {}", database,
                    chosen.pool.role(), e.getMessage());
            stats.primaryRead(RoutingStats.Reason.REPLICA_FAILED);
            return new RoutedConnection(primary.acquire(), database, primary.role());
        }
    }

    /** A connection last used for a read may still have a read-only session; a write needs it back. */
    private static Connection writable(Connection c) throws SQLException {
        try {
            c.setReadOnly(false);
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private boolean withinReadYourWrites() {
        long at = lastWrite.get()[0];
        return at != Long.MIN_VALUE && System.nanoTime() - at < routing.readYourWrites().toNanos();
    }

    private Replica choose() {
        int n = replicas.size();
        if (routing.balance() == ReplicaBalance.LEAST_BUSY) {
            Replica best = null;
            for (Replica r : replicas) {
                if (r.usable(routing.maxLag()) && (best == null || r.pool.active() < best.pool.active())) {
                    best = r;
                }
            }
            return best;
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Replica r = replicas.get((start + i) % n);
            if (r.usable(routing.maxLag())) {
                return r;
            }
        }
        return null;
    }

    private RoutingStats.Reason lastReason() {
        boolean anyBreakerOpen = false;
        boolean anyLagging = false;
        for (Replica r : replicas) {
            CircuitBreaker.State s = r.pool.breaker().getState();
            anyBreakerOpen |= s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN;
            anyLagging |= r.healthy && r.lagMillis > routing.maxLag().toMillis();
        }
        return anyBreakerOpen ? RoutingStats.Reason.BREAKER_OPEN
                : anyLagging ? RoutingStats.Reason.LAGGING : RoutingStats.Reason.UNHEALTHY;
    }

    /**
     * Measures every replica's replay lag and reachability through its own pool (and breaker), so
     * a dead replica opens its own breaker and a recovered one is taken back. Called by the
     * connection manager's schedule; never throws.
     */
    void checkReplicas() {
        for (Replica r : replicas) {
            r.check();
        }
    }

    /** A replica's pool and what its last check found. */
    private static final class Replica {
        final ManagedPool pool;
        volatile boolean healthy;
        volatile long lagMillis = -1;

        Replica(ManagedPool pool) {
            this.pool = pool;
        }

        boolean usable(Duration maxLag) {
            CircuitBreaker.State s = pool.breaker().getState();
            return healthy && lagMillis >= 0 && lagMillis <= maxLag.toMillis()
                    && s != CircuitBreaker.State.OPEN && s != CircuitBreaker.State.FORCED_OPEN;
        }

        void check() {
            try (Connection c = pool.acquire(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery(), CASE"
                         + " WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0"
                         + " ELSE (EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::bigint"
                         + " END")) {
                rs.next();
                long lag = rs.getLong(2);
                lagMillis = rs.wasNull() ? Long.MAX_VALUE : Math.max(0, lag);
                healthy = true;
            } catch (SQLException | RuntimeException e) {
                healthy = false;
                lagMillis = -1;
            }
        }
    }
}
