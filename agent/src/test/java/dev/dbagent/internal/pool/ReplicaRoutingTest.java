package dev.dbagent.internal.pool;

import dev.dbagent.Intent;
import dev.dbagent.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.config.ReplicaBalance;
import dev.dbagent.testing.EmbeddedPostgres;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Routing against a real streaming replica: a second PostgreSQL in hot standby of the first. */
class ReplicaRoutingTest {
    private static EmbeddedPostgres primary;
    private static EmbeddedPostgres replica1;
    private static EmbeddedPostgres replica2;
    private final MutableClock clock = new MutableClock();
    private ConnectionManager manager;

    @BeforeAll
    static void servers() throws SQLException {
        primary = EmbeddedPostgres.builder().start();
        try (Connection c = primary.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE marks (v int)");
        }
        replica1 = primary.startReplica("replica1");
        replica2 = primary.startReplica("replica2");
    }

    @AfterAll
    static void stopServers() {
        for (EmbeddedPostgres pg : new EmbeddedPostgres[] {replica2, replica1, primary}) {
            if (pg != null) {
                pg.close();
            }
        }
    }

    @AfterEach
    void closeManager() {
        if (manager != null) {
            manager.close();
        }
    }

    private DatabaseRouter start(TestDb cfg) {
        manager = new ConnectionManager(List.of(cfg.build()), clock, "test");
        return manager.router("main");
    }

    private TestDb config(EmbeddedPostgres... replicas) {
        TestDb cfg = new TestDb(primary.jdbcUrl("postgres"), primary.user(), primary.password());
        for (EmbeddedPostgres r : replicas) {
            cfg.replicaUrls.add(r.jdbcUrl("postgres"));
        }
        return cfg;
    }

    @Test
    void readsReachTheReplicaAndWritesThePrimary() throws Exception {
        DatabaseRouter router = start(config(replica1));
        try (RoutedConnection w = router.acquire(Intent.WRITE)) {
            assertThat(w.role()).isEqualTo("primary");
            assertThat(inRecovery(w.connection())).isFalse();
        }
        try (RoutedConnection r = router.acquire(Intent.READ)) {
            assertThat(r.role()).isEqualTo("replica-1");
            assertThat(inRecovery(r.connection())).isTrue();
        }
        try (RoutedConnection r = router.acquire(Intent.READ_OWN_WRITES)) {
            assertThat(r.role()).isEqualTo("primary");
        }
        assertThat(router.stats().replicaReads("replica-1")).isEqualTo(1);
        assertThat(router.stats().primaryReads(RoutingStats.Reason.OWN_WRITES)).isEqualTo(1);
        assertThat(router.stats().writes()).isEqualTo(1);
    }

    @Test
    void readsAfterAWriteGoToThePrimaryWithinTheReadYourWritesWindow() throws Exception {
        TestDb cfg = config(replica1);
        cfg.readYourWrites = Duration.ofMinutes(5);
        DatabaseRouter router = start(cfg);
        try (RoutedConnection r = router.acquire(Intent.READ)) {
            assertThat(r.role()).isEqualTo("replica-1");
        }
        router.acquire(Intent.WRITE).close();
        try (RoutedConnection r = router.acquire(Intent.READ)) {
            assertThat(r.role()).isEqualTo("primary");
        }
        assertThat(router.stats().primaryReads(RoutingStats.Reason.OWN_WRITES)).isEqualTo(1);
    }

    @Test
    void severalReplicasShareReadsRoundRobin() throws Exception {
        DatabaseRouter router = start(config(replica1, replica2));
        for (int i = 0; i < 10; i++) {
            router.acquire(Intent.READ).close();
        }
        assertThat(router.stats().replicaReads("replica-1")).isEqualTo(5);
        assertThat(router.stats().replicaReads("replica-2")).isEqualTo(5);
        assertThat(router.stats().primaryReads()).isZero();
    }

    @Test
    void leastBusyPrefersTheReplicaWithFewerBorrowedConnections() throws Exception {
        TestDb cfg = config(replica1, replica2);
        cfg.balance = ReplicaBalance.LEAST_BUSY;
        DatabaseRouter router = start(cfg);
        try (RoutedConnection first = router.acquire(Intent.READ)) {
            String other = first.role().equals("replica-1") ? "replica-2" : "replica-1";
            try (RoutedConnection second = router.acquire(Intent.READ)) {
                assertThat(second.role()).isEqualTo(other);
            }
        }
    }

    @Test
    void aReplicaWhoseReplayIsPausedBeyondTheLagBoundStopsGettingReads() throws Exception {
        DatabaseRouter router = start(config(replica1));
        try (Connection r = replica1.connect("postgres"); Statement rs = r.createStatement();
             Connection p = primary.connect("postgres"); Statement ps = p.createStatement()) {
            rs.execute("SELECT pg_wal_replay_pause()");
            try {
                ps.execute("INSERT INTO marks VALUES (1)");
                Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    manager.checkReplicasNow();
                    assertThat(router.replicaLagMillis("replica-1")).isGreaterThan(500);
                });
                try (RoutedConnection c = router.acquire(Intent.READ)) {
                    assertThat(c.role()).isEqualTo("primary");
                }
                // paused with WAL received and not replayed: dropped as not replaying, whatever the lag
                assertThat(router.stats().primaryReads(RoutingStats.Reason.NOT_REPLAYING)).isEqualTo(1);
                assertThat(router.replicaStatus("replica-1").orElseThrow().state())
                        .isEqualTo(DatabaseRouter.ReplicaState.REPLAY_PAUSED);
            } finally {
                rs.execute("SELECT pg_wal_replay_resume()");
            }
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                manager.checkReplicasNow();
                assertThat(router.replicaLagMillis("replica-1")).isBetween(0L, 500L);
            });
            try (RoutedConnection c = router.acquire(Intent.READ)) {
                assertThat(c.role()).isEqualTo("replica-1");
            }
        }
    }

    @Test
    void aStoppedReplicaSendsReadsToThePrimaryAndOpensOnlyItsOwnBreaker() throws Exception {
        EmbeddedPostgres doomed = primary.startReplica("doomed");
        try {
            DatabaseRouter router = start(config(doomed));
            try (RoutedConnection c = router.acquire(Intent.READ)) {
                assertThat(c.role()).isEqualTo("replica-1");
            }
            doomed.stop();
            ManagedPool replicaPool = router.replicas().get(0);
            replicaPool.evictIdle();
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                manager.checkReplicasNow();
                assertThat(replicaPool.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
            });
            for (int i = 0; i < 5; i++) {
                try (RoutedConnection c = router.acquire(Intent.READ)) {
                    assertThat(c.role()).isEqualTo("primary");
                    assertThat(inRecovery(c.connection())).isFalse();
                }
            }
            assertThat(router.primary().breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(router.stats().primaryReads(RoutingStats.Reason.BREAKER_OPEN)).isEqualTo(5);

            doomed.start();
            clock.advance(Duration.ofSeconds(31));
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                manager.checkReplicasNow();
                assertThat(replicaPool.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
            });
            try (RoutedConnection c = router.acquire(Intent.READ)) {
                assertThat(c.role()).isEqualTo("replica-1");
            }
        } finally {
            doomed.close();
        }
    }

    private static boolean inRecovery(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
