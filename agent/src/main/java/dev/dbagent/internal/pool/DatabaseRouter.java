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
        if (role.equals(primary.role()) && Failures.isReadOnlyTransaction(failure)) {
            primaryOnStandby(); // the service saw a write refused and the server in recovery
            return;
        }
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
     * @return the last measured replay lag of that replica in milliseconds, -1 if unknown,
     *     unreachable or promoted (see {@link #replicaStatus(String)} for why)
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
            chosen.failed();
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
                if (r.usable() && (best == null || r.pool.active() < best.pool.active())) {
                    best = r;
                }
            }
            return best;
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Replica r = replicas.get((start + i) % n);
            if (r.usable()) {
                return r;
            }
        }
        return null;
    }

    private RoutingStats.Reason lastReason() {
        boolean anyBreakerOpen = false;
        boolean anyLagging = false;
        boolean anyStopped = false;
        boolean anyPromoted = false;
        for (Replica r : replicas) {
            CircuitBreaker.State s = r.pool.breaker().getState();
            anyBreakerOpen |= s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN;
            ReplicaState state = r.state;
            anyLagging |= state == ReplicaState.LAGGING;
            anyStopped |= state == ReplicaState.REPLAY_PAUSED || state == ReplicaState.REPLAY_STALLED;
            anyPromoted |= state == ReplicaState.PROMOTED;
        }
        return anyBreakerOpen ? RoutingStats.Reason.BREAKER_OPEN
                : anyPromoted ? RoutingStats.Reason.PROMOTED
                : anyStopped ? RoutingStats.Reason.NOT_REPLAYING
                : anyLagging ? RoutingStats.Reason.LAGGING : RoutingStats.Reason.UNHEALTHY;
    }

    /**
     * @param role {@code replica-N}
     * @return what the last check found about that replica, or empty if no such replica
     */
    public java.util.Optional<ReplicaStatus> replicaStatus(String role) {
        return replicas.stream().filter(r -> r.pool.role().equals(role)).findFirst().map(Replica::status);
    }

    /** @return what the last check found about every replica, in configuration order */
    public List<ReplicaStatus> replicaStatuses() {
        return replicas.stream().map(Replica::status).toList();
    }

    /**
     * Returns connections parked for a thread that are due to DBCP2 (see {@link ManagedPool#sweep()}).
     * Measures every replica's replay state and lag through its own pool (and breaker), so a dead
     * replica opens its own breaker and a recovered one is taken back; then asks the primary
     * pool's server whether it is in recovery (see {@link #checkPrimary()}). Called by the
     * connection manager's schedule; never throws.
     */
    void checkReplicas() {
        for (ManagedPool p : pools()) {
            p.sweep();
        }
        for (Replica r : replicas) {
            r.check(routing.maxLag());
        }
        checkPrimary();
    }

    /**
     * A primary pool whose server is a standby (it was demoted and came back as a replica, or a
     * multi-host URL with {@code targetServerType=preferPrimary} or a virtual IP led its
     * connections to a standby while the primary was away) would fail every write with 25006.
     * One {@code SELECT pg_is_in_recovery()} on an idle pooled connection finds it; the pool then
     * drops its connections and new ones resolve the URL again. Checks only when a connection is
     * idle: it opens none and never waits for one, and a connection that is not there cannot be
     * on the wrong server.
     */
    void checkPrimary() {
        if (primary.idle() == 0) {
            return;
        }
        boolean inRecovery;
        try (Connection c = primary.acquireForCheck(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            inRecovery = rs.next() && rs.getBoolean(1);
        } catch (SQLException | RuntimeException e) {
            return; // the pool's breaker and the health checks see an unreachable primary
        }
        if (inRecovery) {
            primaryOnStandby();
        }
    }

    private void primaryOnStandby() {
        stats.primaryEvicted();
        ManagedPool.Eviction evicted = primary.softEvict();
        LOG.warn("the primary pool of database '{}' is connected to a server in recovery (a standby): {}, so that"
                + " new connections resolve {} again", database, evicted, primary.maskedUrl());
    }

    /** Why a replica is or is not used for reads, as its last check found it. */
    public enum ReplicaState {
        /** not checked yet: not used until the first check */
        UNCHECKED,
        /** in recovery, replaying, lag within the bound: used for reads */
        REPLAYING,
        /** replay lag exceeds the bound */
        LAGGING,
        /** replay paused ({@code pg_wal_replay_pause()}) with received WAL not applied */
        REPLAY_PAUSED,
        /** WAL received but the replay position has not moved for longer than the lag bound */
        REPLAY_STALLED,
        /** not in recovery: it was promoted and no longer replays this primary's writes */
        PROMOTED,
        /** the check could not reach it, or an acquisition for a read failed */
        UNREACHABLE
    }

    /**
     * A replica as its last check found it.
     *
     * @param role {@code replica-N}
     * @param state why it is used or not
     * @param lagMillis replay lag in milliseconds; -1 if unknown (unreachable, promoted, unchecked)
     * @param unreplayedBytes WAL received and not yet replayed, in bytes; -1 if unknown
     */
    public record ReplicaStatus(String role, ReplicaState state, long lagMillis, long unreplayedBytes) {
        /** @return true if reads may go to it (its breaker permitting) */
        public boolean usable() {
            return state == ReplicaState.REPLAYING;
        }
    }

    /** A replica's pool and what its last check found. */
    private static final class Replica {
        /**
         * In recovery or not; replay paused; received and replayed WAL positions in bytes; lag by
         * the last replayed commit's timestamp, 0 when everything received was replayed. The
         * pause function errs on a server not in recovery, so it is asked only on one that is.
         */
        private static final String CHECK_SQL = "SELECT pg_is_in_recovery(),"
                + " CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END,"
                + " (pg_last_wal_receive_lsn() - '0/0'::pg_lsn)::bigint,"
                + " (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint,"
                + " CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0"
                + " ELSE (EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::bigint"
                + " END";

        final ManagedPool pool;
        volatile ReplicaState state = ReplicaState.UNCHECKED;
        volatile long lagMillis = -1;
        volatile long unreplayedBytes = -1;
        /** Only the check thread touches these two. */
        private long lastReplayed = -1;
        private long replayMovedAtNanos = System.nanoTime();

        Replica(ManagedPool pool) {
            this.pool = pool;
        }

        boolean usable() {
            CircuitBreaker.State s = pool.breaker().getState();
            return state == ReplicaState.REPLAYING && s != CircuitBreaker.State.OPEN
                    && s != CircuitBreaker.State.FORCED_OPEN;
        }

        void failed() {
            state = ReplicaState.UNREACHABLE;
            lagMillis = -1;
        }

        ReplicaStatus status() {
            return new ReplicaStatus(pool.role(), state, lagMillis, unreplayedBytes);
        }

        void check(Duration maxLag) {
            try (Connection c = pool.acquireForCheck(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(CHECK_SQL)) {
                rs.next();
                boolean inRecovery = rs.getBoolean(1);
                boolean paused = rs.getBoolean(2);
                long received = rs.getLong(3);
                boolean receivedKnown = !rs.wasNull();
                long replayed = rs.getLong(4);
                boolean replayedKnown = !rs.wasNull();
                long lag = rs.getLong(5);
                boolean lagKnown = !rs.wasNull();
                long now = System.nanoTime();
                if (!replayedKnown || replayed != lastReplayed) {
                    lastReplayed = replayed;
                    replayMovedAtNanos = now;
                }
                long behind = receivedKnown && replayedKnown ? Math.max(0, received - replayed) : -1;
                unreplayedBytes = inRecovery ? behind : -1;
                lagMillis = !inRecovery ? -1 : lagKnown ? Math.max(0, lag) : Long.MAX_VALUE;
                if (!inRecovery) {
                    state = ReplicaState.PROMOTED;
                } else if (paused && behind > 0) {
                    state = ReplicaState.REPLAY_PAUSED;
                } else if (behind > 0 && now - replayMovedAtNanos > maxLag.toNanos()) {
                    state = ReplicaState.REPLAY_STALLED;
                } else if (lagMillis > maxLag.toMillis()) {
                    state = ReplicaState.LAGGING;
                } else {
                    state = ReplicaState.REPLAYING;
                }
            } catch (SQLException | RuntimeException e) {
                failed();
            }
        }
    }
}
