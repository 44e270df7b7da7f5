package dev.dbagent.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.testing.MutableClock;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Thread affinity on the lean path (no abandoned tracking, as in staging and production): a
 * connection returned clean is parked for its thread and taken back without DBCP2, another
 * thread takes it when the pool has no other, a borrower waiting in DBCP2 is still served, and
 * parked connections go back to DBCP2 on their own, on eviction and on close.
 */
@ExtendWith(PostgresExtension.class)
class AffinityTest {
    private TestDatabase db;
    private TestDb cfg;
    private ConnectionManager manager;
    private ManagedPool pool;

    @BeforeEach
    void config(TestDatabase db) {
        this.db = db;
        cfg = new TestDb(db.jdbcUrl(), db.user(), db.password());
        cfg.minIdle = 0;
        cfg.maxWait = Duration.ofSeconds(30);
    }

    private void start(int maxTotal) {
        cfg.maxTotal = maxTotal;
        manager = new ConnectionManager(List.of(cfg.build()), new MutableClock(), "affinity");
        pool = manager.router("main").primary();
    }

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void aThreadGetsItsReturnedConnectionBackAndItCountsAsIdleMeanwhile() throws SQLException {
        start(2);
        int first = withConnection(TestDb::backendPid);
        assertThat(pool.parkedCount()).isEqualTo(1);
        assertThat(pool.idle()).isEqualTo(1);
        assertThat(pool.active()).isZero();
        assertThat(pool.total()).isEqualTo(1);
        try (Connection c = pool.acquire()) {
            assertThat(TestDb.backendPid(c)).isEqualTo(first);
            assertThat(pool.parkedCount()).isZero();
            assertThat(pool.active()).isEqualTo(1);
            assertThat(pool.idle()).isZero();
            assertThat(pool.borrowers()).hasSize(1);
        }
        assertThat(pool.borrowedCount()).isEqualTo(2);
        assertThat(pool.createdCount()).isEqualTo(1);
    }

    @Test
    void theBorrowWaitHistogramCountsEveryBorrowButKeepsABoundedSample() throws SQLException {
        start(1);
        for (int i = 0; i < 3_000; i++) {
            try (Connection c = pool.acquire()) {
                assertThat(c.isClosed()).isFalse();
            }
        }
        // a time-window reservoir would hold all 3,000 values and sort them at each read
        assertThat(pool.borrowWaitMicros().getCount()).isEqualTo(3_000);
        assertThat(pool.borrowWaitMicros().getSnapshot().size()).isEqualTo(1_028);
        assertThat(pool.borrowWaitMillis(0.99)).isGreaterThanOrEqualTo(pool.borrowWaitMillis(0.5)).isGreaterThanOrEqualTo(0);
    }

    @Test
    void anotherThreadTakesTheParkedConnectionWhenThePoolHasNoOther() throws Exception {
        start(1);
        int mine = withConnection(TestDb::backendPid);
        assertThat(pool.parkedCount()).isEqualTo(1);
        int theirs = pidOnAnotherThread().get(30, TimeUnit.SECONDS);
        assertThat(theirs).isEqualTo(mine);
        assertThat(pool.createdCount()).isEqualTo(1);
        assertThat(pool.waiting()).isZero();
        // parked for the other thread now; this one takes it back from there
        assertThat(pool.parkedCount()).isEqualTo(1);
        assertThat(withConnection(TestDb::backendPid)).isEqualTo(mine);
    }

    @Test
    void aBorrowerWaitingInDbcp2IsServedByTheNextReturn() throws Exception {
        start(1);
        Connection held = pool.acquire();
        int pid = TestDb.backendPid(held);
        CompletableFuture<Integer> waiter = pidOnAnotherThread();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pool.waiting() == 1);
        held.close(); // not parked: someone waits in DBCP2
        assertThat(waiter.get(30, TimeUnit.SECONDS)).isEqualTo(pid);
        assertThat(pool.createdCount()).isEqualTo(1);
    }

    @Test
    void aConnectionLeftInATransactionIsNotParkedAndItsWorkIsRolledBack() throws SQLException {
        start(1);
        try (Connection c = pool.acquire(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE affinity_left (id int)");
        }
        Connection c = pool.acquire();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO affinity_left VALUES (1)");
        }
        c.close();
        assertThat(pool.parkedCount()).isZero();
        assertThat(pool.idle()).isEqualTo(1);
        try (Connection d = pool.acquire(); Statement s = d.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM affinity_left")) {
            assertThat(d.getAutoCommit()).isTrue();
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void aParkedConnectionGoesBackToDbcp2OnItsOwnAfterAboutASecond() throws Exception {
        start(2);
        int pid = pidOnAnotherThread().get(30, TimeUnit.SECONDS); // that thread never borrows again
        assertThat(pool.parkedCount()).isEqualTo(1);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pool.parkedCount() == 0);
        assertThat(pool.idle()).isEqualTo(1);
        assertThat(withConnection(TestDb::backendPid)).isEqualTo(pid);
        assertThat(pool.createdCount()).isEqualTo(1);
    }

    @Test
    void softEvictionAndCloseCloseParkedConnections() throws Exception {
        start(2);
        int evicted = withConnection(TestDb::backendPid);
        assertThat(pool.softEvict().idleClosed()).isEqualTo(1);
        assertThat(pool.parkedCount()).isZero();
        assertThat(pool.idle()).isZero();
        assertThat(pool.destroyedCount()).isEqualTo(1);
        assertThat(sessionAlive(evicted)).isFalse();

        int parked = withConnection(TestDb::backendPid);
        assertThat(parked).isNotEqualTo(evicted);
        assertThat(pool.parkedCount()).isEqualTo(1);
        manager.close();
        manager = null;
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !sessionAlive(parked));
    }

    /** @return the backend of a connection borrowed and returned by another thread */
    private CompletableFuture<Integer> pidOnAnotherThread() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return withConnection(TestDb::backendPid);
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        });
    }

    private interface WithConnection<T> {
        T apply(Connection c) throws SQLException;
    }

    private <T> T withConnection(WithConnection<T> work) throws SQLException {
        try (Connection c = pool.acquire()) {
            return work.apply(c);
        }
    }

    private boolean sessionAlive(int pid) throws SQLException {
        try (Connection admin = db.dataSource().getConnection();
             PreparedStatement ps = admin.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }
}
