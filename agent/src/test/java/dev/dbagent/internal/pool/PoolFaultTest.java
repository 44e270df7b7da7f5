package dev.dbagent.internal.pool;

import dev.dbagent.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.BreakerOpenException;
import dev.dbagent.PoolExhaustedException;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;

/** Faults between the pool and PostgreSQL, injected with a netcrusher TCP proxy. */
@ExtendWith(PostgresExtension.class)
class PoolFaultTest {
    private NioReactor reactor;
    private TcpCrusher crusher;
    private TestDb cfg;
    private final MutableClock clock = new MutableClock();
    private ConnectionManager manager;

    @BeforeEach
    void proxy(TestDatabase db) throws Exception {
        reactor = new NioReactor(5);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        crusher = TcpCrusherBuilder.builder().withReactor(reactor)
                .withBindAddress("127.0.0.1", port)
                .withConnectAddress(db.server().host(), db.server().port())
                .buildAndOpen();
        cfg = new TestDb("jdbc:postgresql://127.0.0.1:" + port + "/" + db.name(), db.user(), db.password());
    }

    @AfterEach
    void tearDown() {
        if (manager != null) {
            manager.close();
        }
        crusher.close();
        reactor.close();
    }

    private ManagedPool start() {
        manager = new ConnectionManager(List.of(cfg.build()), clock, "test");
        return manager.router("main").primary();
    }

    @Test
    void unreachableServerOpensTheBreakerWhichThenRejectsWithoutNetworkIo() throws Exception {
        ManagedPool pool = start();
        crusher.close(); // connection refused from now on
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(pool::acquire).isInstanceOf(SQLException.class)
                    .hasMessageContaining("cannot connect to database 'main' (primary");
        }
        assertThat(pool.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);

        crusher.open(); // the server is reachable again, but the breaker has not waited yet
        int clientsBefore = crusher.getClientTotalCount();
        assertThatThrownBy(pool::acquire).isInstanceOfSatisfying(BreakerOpenException.class, e -> {
            assertThat(e.database()).isEqualTo("main");
            assertThat(e.role()).isEqualTo("primary");
            assertThat(e.state()).isEqualTo("OPEN");
            assertThat(e).hasMessageContaining("circuit breaker pool of database 'main' (primary) is OPEN");
        });
        assertThat(crusher.getClientTotalCount()).isEqualTo(clientsBefore);
        assertThat(pool.createdCount()).isZero();
    }

    @Test
    void firstCallAfterTheOpenWaitSucceedsOnceTheServerIsBack() throws Exception {
        ManagedPool pool = start();
        crusher.close();
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(pool::acquire).isInstanceOf(SQLException.class);
        }
        assertThat(pool.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        crusher.open();
        clock.advance(cfg.breakerWaitOpen.plusMillis(1));
        try (Connection c = pool.acquire(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
        assertThat(pool.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void frozenConnectionFailsWithinTheSocketTimeout() throws Exception {
        cfg.socketTimeout = Duration.ofSeconds(2);
        ManagedPool pool = start();
        try (Connection c = pool.acquire(); Statement s = c.createStatement()) {
            crusher.freeze();
            long start = System.nanoTime();
            assertThatThrownBy(() -> s.executeQuery("SELECT 1"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("08"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // a bound on a hang, not a performance figure: socketTimeout plus a generous margin
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1_900)).isLessThan(Duration.ofSeconds(12));
        } finally {
            crusher.unfreeze();
        }
    }

    @Test
    void aConnectionStillOpeningWhenASoftEvictionRunsIsClosedWhenReturned() throws Exception {
        cfg.minIdle = 0;
        cfg.maxWait = Duration.ofSeconds(20);
        ManagedPool pool = start();
        crusher.freeze(); // the login below waits in the proxy
        CompletableFuture<Connection> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return pool.acquire();
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        });
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(PoolFaultTest::aLoginIsUnderWay);
            assertThat(pool.softEvict().idleClosed()).isZero();
        } finally {
            crusher.unfreeze();
        }
        int pid;
        try (Connection c = opening.get(20, TimeUnit.SECONDS)) {
            pid = TestDb.backendPid(c); // it works: an eviction never fails work in flight
        }
        assertThat(pool.idle()).isZero(); // it began before the eviction, so it did not go back to the pool
        assertThat(pool.destroyedCount()).isEqualTo(1);
        try (Connection c = pool.acquire()) {
            assertThat(TestDb.backendPid(c)).isNotEqualTo(pid);
        }
        assertThat(pool.idle()).isEqualTo(1); // one opened after the eviction is kept
    }

    private static boolean aLoginIsUnderWay() {
        return Thread.getAllStackTraces().values().stream().flatMap(Arrays::stream)
                .anyMatch(f -> f.getClassName().startsWith("org.postgresql.core.v3.ConnectionFactoryImpl"));
    }

    @Test
    void exhaustedPoolNamesWhatItLookedLike() throws Exception {
        cfg.maxTotal = 2;
        cfg.minIdle = 2; // opened at start: 300 ms bound the wait for a new connection too
        cfg.maxWait = Duration.ofMillis(300);
        ManagedPool pool = start();
        try (Connection a = pool.acquire(); Connection b = pool.acquire()) {
            assertThat(pool.borrowers()).hasSize(2)
                    .allSatisfy(x -> assertThat(x.stack()).contains("PoolFaultTest"));
            assertThatThrownBy(pool::acquire).isInstanceOfSatisfying(PoolExhaustedException.class, e -> {
                assertThat(e.total()).isEqualTo(2);
                assertThat(e.active()).isEqualTo(2);
                assertThat(e.idle()).isZero();
                assertThat(e).hasMessage("pool of database 'main' (primary) exhausted: no connection within 300 ms "
                        + "(total=2, active=2, idle=0, waiting=0)");
            });
        }
        assertThat(pool.borrowers()).isEmpty();
        assertThat(pool.idle()).isEqualTo(2);
    }

    @Test
    void terminatedBackendsAreEvictedAndThePoolRefills(TestDatabase db) throws Exception {
        cfg.minIdle = 3;
        cfg.maxTotal = 5;
        cfg.evictionRuns = Duration.ofMillis(200);
        ManagedPool pool = start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pool.idle() >= 3);
        // the pool may be replacing a connection right now (the evictor runs every 200 ms): wait
        // until the server shows the three sessions the pool counts
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> backendPids(db).size() >= 3);
        Set<Integer> before = backendPids(db);
        assertThat(before).hasSizeGreaterThanOrEqualTo(3);

        try (Connection admin = db.dataSource().getConnection(); Statement s = admin.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dbagent/main/primary'");
        }
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(pool.destroyedCount()).isGreaterThanOrEqualTo(3);
            assertThat(pool.idle()).isGreaterThanOrEqualTo(3);
        });
        Set<Integer> after = backendPids(db);
        assertThat(after).doesNotContainAnyElementsOf(before).hasSizeGreaterThanOrEqualTo(3);
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Connection c = pool.acquire();
                held.add(c);
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                    assertThat(rs.next()).isTrue();
                }
            }
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
        assertThat(pool.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void evictIdleClosesIdleConnectionsOnly() throws Exception {
        cfg.minIdle = 2;
        ManagedPool pool = start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pool.idle() >= 2);
        try (Connection held = pool.acquire()) {
            int idleBefore = pool.idle();
            assertThat(pool.evictIdle()).isEqualTo(idleBefore);
            assertThat(pool.idle()).isZero();
            assertThat(pool.active()).isEqualTo(1);
            assertThat(held.isValid(2)).isTrue();
        }
    }

    @Test
    void applicationErrorsDoNotCountAsFailures() throws Exception {
        ManagedPool pool = start();
        for (int i = 0; i < 20; i++) {
            try (Connection c = pool.acquire(); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute("SELEC broken")).isInstanceOf(SQLException.class);
            }
        }
        assertThat(pool.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(pool.breaker().getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void forcedOpenRejectsAndResetRestores() throws Exception {
        ManagedPool pool = start();
        pool.breaker().transitionToForcedOpenState();
        assertThatThrownBy(pool::acquire).isInstanceOf(BreakerOpenException.class).hasMessageContaining("FORCED_OPEN");
        pool.breaker().transitionToDisabledState();
        try (Connection c = pool.acquire()) {
            assertThat(c.isValid(2)).isTrue();
        }
        pool.breaker().reset();
        assertThat(pool.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void passwordNeverAppearsInDescriptions() throws Exception {
        cfg.url = cfg.url + "?password=" + cfg.password;
        ManagedPool pool = start();
        assertThat(pool.toString()).doesNotContain(cfg.password);
        assertThat(pool.maskedUrl()).doesNotContain(cfg.password);
        crusher.close();
        assertThatThrownBy(pool::acquire).satisfies(e -> assertThat(e.getMessage()).doesNotContain(cfg.password));
    }

    private static Set<Integer> backendPids(TestDatabase db) throws SQLException {
        Set<Integer> pids = new HashSet<>();
        try (Connection admin = db.dataSource().getConnection(); Statement s = admin.createStatement();
             ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name = 'dbagent/main/primary'")) {
            while (rs.next()) {
                pids.add(rs.getInt(1));
            }
        }
        return pids;
    }
}
