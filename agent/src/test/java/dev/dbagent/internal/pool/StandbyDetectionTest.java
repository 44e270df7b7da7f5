package dev.dbagent.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.dbagent.Intent;
import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.service.DatabaseService;
import dev.dbagent.service.ServiceSettings;
import dev.dbagent.testing.EmbeddedPostgres;
import dev.dbagent.testing.MutableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.awaitility.Awaitility;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13.4 against a real primary and a real streaming replica: a primary pool whose
 * connections sit on a standby is evicted and resolves its multi-host URL again, found by a
 * write refused with 25006 or by the background check; a replica that stopped replaying leaves
 * read routing and comes back when it replays again.
 *
 * <p>Routers are built here without a {@link ConnectionManager}, so no background check runs
 * unless a test calls it: what a test asserts was caused by the path it exercises.
 */
class StandbyDetectionTest {
    private static EmbeddedPostgres primary;
    private static EmbeddedPostgres standby;
    private final List<ManagedPool> pools = new ArrayList<>();

    @BeforeAll
    static void servers() throws SQLException {
        primary = EmbeddedPostgres.builder().start();
        try (Connection c = primary.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE marks (id int NOT NULL, note text)");
        }
        standby = primary.startReplica("standby1");
    }

    @AfterAll
    static void stopServers() {
        for (EmbeddedPostgres pg : new EmbeddedPostgres[] {standby, primary}) {
            if (pg != null) {
                pg.close();
            }
        }
    }

    @BeforeEach
    void primaryUp() {
        primary.start(); // a test that failed half way may have left it stopped
    }

    @AfterEach
    void closePools() throws SQLException {
        pools.forEach(ManagedPool::close);
        try (Connection c = primary.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("TRUNCATE marks");
        }
        try (Connection c = standby.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("SELECT pg_wal_replay_resume()");
        }
    }

    /** Both servers, primary first; a standby is taken only when no primary answers. */
    private static String preferPrimaryUrl() {
        return "jdbc:postgresql://127.0.0.1:" + primary.port() + ",127.0.0.1:" + standby.port()
                + "/postgres?targetServerType=preferPrimary&hostRecheckSeconds=1";
    }

    private ManagedPool pool(String role, DatabaseConfig cfg, String url) {
        ConnectionFactory f = new ConnectionFactory(cfg.name(), url, cfg.user().orElseThrow(),
                primary.password(), cfg.connection());
        ManagedPool p = new ManagedPool(role, f, cfg.pool(), cfg.poolBreaker(), new MutableClock());
        pools.add(p);
        return p;
    }

    private static DatabaseService service(DatabaseRouter router, DatabaseConfig cfg) {
        return DatabaseService.builder(router).agentName("test").metrics(new MetricRegistry())
                .settings(new ServiceSettings(Duration.ofSeconds(30), 10, cfg.retry(), cfg.serviceBreaker())).build();
    }

    private static TestDb cfg() {
        return new TestDb(preferPrimaryUrl(), primary.user(), primary.password());
    }

    /**
     * Stops the primary, lets the pool connect while only the standby answers (preferPrimary
     * falls back to it), and starts the primary again: the pool's idle connection stays on the
     * standby, as after a failover whose old primary came back, or a virtual IP that moved.
     */
    private void leavePoolOnTheStandby(DatabaseService service) throws SQLException {
        primary.stop();
        int port = service.read(h -> h.createQuery("SELECT inet_server_port()").mapTo(Integer.class).one());
        assertThat(port).as("the pool's connection is on the standby").isEqualTo(standby.port());
        primary.start();
        // Another connection of this JVM finds the primary again; pgJDBC then prefers it for new
        // connections (without it, after hostRecheckSeconds)
        Properties p = new Properties();
        p.setProperty("user", primary.user());
        p.setProperty("password", primary.password());
        String probe = preferPrimaryUrl().replace("preferPrimary", "primary");
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Connection c = DriverManager.getConnection(probe, p)) {
                return true;
            }
        });
    }

    private static int rowsOnPrimary(int id) throws SQLException {
        try (Connection c = primary.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM marks WHERE id = " + id)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aWriteRefusedByAStandbyEvictsThePrimaryPoolAndIsRetriedOnThePrimary() throws Exception {
        TestDb c = cfg();
        DatabaseConfig cfg = c.build();
        ManagedPool pool = pool("primary", cfg, preferPrimaryUrl());
        DatabaseRouter router = new DatabaseRouter("main", pool, List.of(), cfg.replicaRouting());
        DatabaseService service = service(router, cfg);
        leavePoolOnTheStandby(service);
        assertThat(pool.idle()).isEqualTo(1);
        long retriesBefore = service.retryCount();

        int port = service.write(h -> h.createQuery("INSERT INTO marks VALUES (1, 'after failover')"
                + " RETURNING inet_server_port()").mapTo(Integer.class).one());

        assertThat(port).as("the retry ran on the primary").isEqualTo(primary.port());
        assertThat(service.retryCount() - retriesBefore).as("retries").isEqualTo(1);
        assertThat(router.stats().primaryEvictions()).isEqualTo(1);
        assertThat(rowsOnPrimary(1)).as("written once").isEqualTo(1);
        assertThat(service.circuitBreaker().getMetrics().getNumberOfFailedCalls())
                .as("25006 on a standby is no breaker failure").isZero();
        try (RoutedConnection rc = router.acquire(Intent.WRITE); Statement s = rc.connection().createStatement();
             ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the pool holds no connection to the standby any more").isEqualTo(primary.port());
        }
    }

    @Test
    void theBackgroundCheckEvictsAPrimaryPoolLeftOnAStandby() throws Exception {
        DatabaseConfig cfg = cfg().build();
        ManagedPool pool = pool("primary", cfg, preferPrimaryUrl());
        DatabaseRouter router = new DatabaseRouter("main", pool, List.of(), cfg.replicaRouting());
        DatabaseService service = service(router, cfg);
        leavePoolOnTheStandby(service);
        long retriesBefore = service.retryCount();

        router.checkReplicas();

        assertThat(router.stats().primaryEvictions()).isEqualTo(1);
        assertThat(pool.idle()).as("the connection on the standby was closed").isZero();
        int port = service.write(h -> h.createQuery("INSERT INTO marks VALUES (2, 'after the check')"
                + " RETURNING inet_server_port()").mapTo(Integer.class).one());
        assertThat(port).isEqualTo(primary.port());
        assertThat(service.retryCount()).as("no write had to fail first").isEqualTo(retriesBefore);
        router.checkReplicas();
        assertThat(router.stats().primaryEvictions()).as("a pool on the primary is left alone").isEqualTo(1);
        assertThat(pool.idle()).isEqualTo(1);
    }

    @Test
    void aWriteInTheCallersOwnReadOnlyTransactionIsNeitherRetriedNorEvictsThePool() throws Exception {
        DatabaseConfig cfg = new TestDb(primary.jdbcUrl("postgres"), primary.user(), primary.password()).build();
        ManagedPool pool = pool("primary", cfg, primary.jdbcUrl("postgres"));
        DatabaseRouter router = new DatabaseRouter("main", pool, List.of(), cfg.replicaRouting());
        DatabaseService service = service(router, cfg);
        service.write(h -> h.execute("INSERT INTO marks VALUES (3, 'before')"));
        long created = pool.createdCount();

        assertThatThrownBy(() -> service.write(h -> {
            h.execute("SET TRANSACTION READ ONLY");
            return h.execute("INSERT INTO marks VALUES (4, 'refused')");
        })).isInstanceOf(UnableToExecuteStatementException.class)
                .hasMessageContaining("cannot execute INSERT in a read-only transaction")
                .satisfies(e -> assertThat(Failures.sqlState(e)).isEqualTo("25006"));

        assertThat(service.retryCount()).as("the caller's own mistake is not repeated").isZero();
        assertThat(router.stats().primaryEvictions()).isZero();
        assertThat(pool.idle()).as("the connection went back to the pool").isEqualTo(1);
        assertThat(pool.createdCount()).isEqualTo(created);
        assertThat(rowsOnPrimary(4)).isZero();
        assertThat(rowsOnPrimary(3)).isEqualTo(1);
    }

    @Test
    void aReplicaWithPausedReplayIsDroppedFromReadsAndTakenBackWhenItReplays() throws Exception {
        DatabaseConfig cfg = new TestDb(primary.jdbcUrl("postgres"), primary.user(), primary.password()).build();
        ManagedPool p = pool("primary", cfg, primary.jdbcUrl("postgres"));
        ManagedPool r = pool("replica-1", cfg, standby.jdbcUrl("postgres"));
        DatabaseRouter router = new DatabaseRouter("main", p, List.of(r), cfg.replicaRouting());
        router.checkReplicas();
        assertThat(router.replicaStatus("replica-1").orElseThrow().state()).isEqualTo(DatabaseRouter.ReplicaState.REPLAYING);
        assertReadGoesTo(router, "replica-1");

        try (Connection c = standby.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("SELECT pg_wal_replay_pause()");
        }
        try (Connection c = primary.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("INSERT INTO marks VALUES (5, 'not replayed')");
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            router.checkReplicas();
            assertThat(router.replicaStatus("replica-1").orElseThrow().state())
                    .isEqualTo(DatabaseRouter.ReplicaState.REPLAY_PAUSED);
        });
        assertThat(router.replicaStatus("replica-1").orElseThrow().unreplayedBytes()).isPositive();
        assertReadGoesTo(router, "primary");
        assertThat(router.stats().primaryReads(RoutingStats.Reason.NOT_REPLAYING)).isEqualTo(1);

        try (Connection c = standby.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("SELECT pg_wal_replay_resume()");
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            router.checkReplicas();
            assertThat(router.replicaStatus("replica-1").orElseThrow().state())
                    .isEqualTo(DatabaseRouter.ReplicaState.REPLAYING);
        });
        assertReadGoesTo(router, "replica-1");
        try (RoutedConnection rc = router.acquire(Intent.READ); Statement s = rc.connection().createStatement();
             ResultSet rs = s.executeQuery("SELECT note FROM marks WHERE id = 5")) {
            assertThat(rc.role()).isEqualTo("replica-1");
            assertThat(rs.next()).as("the replica replayed the write").isTrue();
            assertThat(rs.getString(1)).isEqualTo("not replayed");
        }
    }

    @Test
    void aReplicaWhoseReplayWaitsOnAConflictingQueryIsDroppedAsStalledAndTakenBackAfterwards() throws Exception {
        TestDb c = new TestDb(primary.jdbcUrl("postgres"), primary.user(), primary.password());
        c.maxLag = Duration.ofMillis(300);
        DatabaseConfig cfg = c.build();
        ManagedPool p = pool("primary", cfg, primary.jdbcUrl("postgres"));
        ManagedPool r = pool("replica-1", cfg, standby.jdbcUrl("postgres"));
        DatabaseRouter router = new DatabaseRouter("main", p, List.of(r), cfg.replicaRouting());
        router.checkReplicas();
        assertReadGoesTo(router, "replica-1");

        // A query on the standby holds a lock that the replay of an ALTER TABLE needs: replay waits
        // for it (up to max_standby_streaming_delay, 30 s by default) while WAL keeps arriving.
        try (Connection blocker = standby.connect("postgres"); Statement b = blocker.createStatement()) {
            blocker.setAutoCommit(false);
            b.execute("SELECT count(*) FROM marks");
            try (Connection pc = primary.connect("postgres"); Statement s = pc.createStatement()) {
                s.execute("ALTER TABLE marks ADD COLUMN extra int");
                s.execute("INSERT INTO marks VALUES (6, 'behind the ALTER')");
            }
            Awaitility.await().atMost(Duration.ofSeconds(25)).untilAsserted(() -> {
                router.checkReplicas();
                assertThat(router.replicaStatus("replica-1").orElseThrow().state())
                        .isEqualTo(DatabaseRouter.ReplicaState.REPLAY_STALLED);
            });
            assertReadGoesTo(router, "primary");
            assertThat(router.stats().primaryReads(RoutingStats.Reason.NOT_REPLAYING)).isEqualTo(1);
            blocker.rollback();
        } finally {
            try (Connection pc = primary.connect("postgres"); Statement s = pc.createStatement()) {
                s.execute("ALTER TABLE marks DROP COLUMN IF EXISTS extra");
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            router.checkReplicas();
            assertThat(router.replicaStatus("replica-1").orElseThrow().state())
                    .isEqualTo(DatabaseRouter.ReplicaState.REPLAYING);
        });
        assertReadGoesTo(router, "replica-1");
    }

    private static void assertReadGoesTo(DatabaseRouter router, String role) throws SQLException {
        try (RoutedConnection rc = router.acquire(Intent.READ)) {
            assertThat(rc.role()).isEqualTo(role);
        }
    }
}
