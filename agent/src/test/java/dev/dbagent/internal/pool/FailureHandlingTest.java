package dev.dbagent.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.dbagent.PoolExhaustedException;
import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.service.DatabaseService;
import dev.dbagent.service.ServiceSettings;
import dev.dbagent.testing.MutableClock;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/**
 * The failure paths of the agent's own pools behind a {@link DatabaseService}: saturation,
 * connections that died while idle or during the transaction, the socket timeout.
 */
@ExtendWith(PostgresExtension.class)
class FailureHandlingTest {
    private ConnectionManager manager;

    @BeforeAll
    static void schema(TestDatabase db) {
        db.jdbi().useHandle(h -> h.execute("CREATE TABLE writes(id int NOT NULL, attempt int NOT NULL)"));
    }

    @AfterEach
    void close() {
        if (manager != null) {
            manager.close();
        }
    }

    private TestDb cfg(TestDatabase db) {
        return new TestDb(db.server().jdbcUrl(db.name()), db.user(), db.password());
    }

    private DatabaseService service(DatabaseConfig c) {
        manager = new ConnectionManager(List.of(c), new MutableClock(), "test");
        return DatabaseService.builder(manager.router(c.name())).agentName("test").metrics(new MetricRegistry())
                .settings(new ServiceSettings(Duration.ofSeconds(30), 10, c.retry(), c.serviceBreaker())).build();
    }

    private static int rows(TestDatabase db, int id) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM writes WHERE id = :id")
                .bind("id", id).mapTo(Integer.class).one());
    }

    @Test
    void fiftyCallersOnAPoolOfFourGetPoolExhaustedWithCountsAndNoBreakerOpens(TestDatabase db) throws Exception {
        TestDb c = cfg(db);
        c.maxTotal = 4;
        c.maxWait = Duration.ofMillis(200);
        c.minIdle = 4; // opened at start, so that exactly the four first callers get one
        c.breakerMinimumCalls = 3;
        c.breakerWindow = 5;
        DatabaseService service = service(c.build());
        ManagedPool pool = manager.router("main").primary();
        int callers = 50;
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int i = 0; i < callers; i++) {
                results.add(threads.submit(() -> service.read(h -> {
                    release.await(30, TimeUnit.SECONDS); // hold the connection until all others gave up
                    return h.createQuery("SELECT 1").mapTo(Integer.class).one();
                })));
            }
            List<Throwable> failures = new ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> results.stream().filter(Future::isDone).count() >= callers - 4);
            release.countDown();
            int ok = 0;
            for (Future<Integer> f : results) {
                try {
                    assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(1);
                    ok++;
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            assertThat(ok).isEqualTo(4);
            assertThat(failures).hasSize(callers - 4).allSatisfy(t -> assertThat(t)
                    .isInstanceOf(PoolExhaustedException.class)
                    .hasMessageContaining("pool of database 'main' (primary) exhausted: no connection within 200 ms (total=4, active=4, idle=0"));
            PoolExhaustedException first = (PoolExhaustedException) failures.get(0);
            assertThat(first.total()).isEqualTo(4);
            assertThat(first.active()).isEqualTo(4);
        } finally {
            release.countDown();
            threads.shutdownNow();
        }
        assertThat(pool.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(pool.breaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(service.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(service.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(service.retryCount()).isZero();
    }

    @Test
    void connectionsThatDiedWhileIdleDoNotFailTheNextWrite(TestDatabase db) {
        TestDb c = cfg(db);
        c.maxTotal = 4;
        c.minIdle = 4;
        DatabaseService service = service(c.build());
        // four idle connections, then the server ends all of their sessions
        assertThat(manager.router("main").primary().idle()).isEqualTo(4);
        int terminated = db.jdbi().withHandle(h -> h.createQuery("SELECT count(pg_terminate_backend(pid)) "
                + "FROM pg_stat_activity WHERE application_name = 'dbagent/main/primary'").mapTo(Integer.class).one());
        assertThat(terminated).isEqualTo(4);

        AtomicInteger runs = new AtomicInteger();
        for (int id = 1; id <= 4; id++) {
            int written = id;
            service.write(h -> h.execute("INSERT INTO writes VALUES (?, ?)", written, runs.incrementAndGet()));
        }

        for (int id = 1; id <= 4; id++) {
            assertThat(rows(db, id)).isEqualTo(1);
        }
        assertThat(service.errorCount()).isZero();
        assertThat(service.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void connectionLostWhileReadingTheTransactionIdIsRetriedAndNeverLeaksTheDriverException(TestDatabase db) {
        TestDb c = cfg(db);
        DatabaseService service = service(c.build());
        AtomicInteger runs = new AtomicInteger();

        int result = service.write(h -> {
            h.execute("INSERT INTO writes VALUES (100, ?)", runs.incrementAndGet());
            if (runs.get() == 1) {
                int pid = h.createQuery("SELECT pg_backend_pid()").mapTo(Integer.class).one();
                terminate(db, pid); // the next statement is the service's own, before COMMIT
            }
            return runs.get();
        });

        assertThat(result).isEqualTo(2);
        assertThat(rows(db, 100)).isEqualTo(1);
        assertThat(service.retryCount()).isEqualTo(1);

        c.name = "once";
        c.maxAttemptsOverride = 1;
        manager.close();
        DatabaseService once = service(c.build());
        AtomicInteger runsOnce = new AtomicInteger();
        assertThatThrownBy(() -> once.write(h -> {
            runsOnce.incrementAndGet();
            h.execute("INSERT INTO writes VALUES (101, 1)");
            terminate(db, h.createQuery("SELECT pg_backend_pid()").mapTo(Integer.class).one());
            return 1;
        }))
                .isInstanceOf(UnableToExecuteStatementException.class)
                .hasMessageContaining("dbagent's own statement [SELECT pg_current_xact_id_if_assigned()::text] failed")
                .satisfies(t -> assertThat(Failures.isInfrastructure(t)).isTrue());
        assertThat(runsOnce).hasValue(1);
        assertThat(rows(db, 101)).isZero();
    }

    private static void terminate(TestDatabase db, int pid) {
        db.jdbi().useHandle(h -> h.execute("SELECT pg_terminate_backend(?)", pid));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> db.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid").bind("pid", pid).mapTo(Integer.class).one()) == 0);
    }

    @Test
    void socketTimeoutZeroMeansNoneAndAPositiveOneIsKeptInWholeSeconds(TestDatabase db) throws Exception {
        TestDb c = cfg(db);
        c.socketTimeout = Duration.ZERO;
        DatabaseService service = service(c.build());
        try (Connection conn = manager.router("main").primary().acquire()) {
            assertThat(conn.getNetworkTimeout()).isZero();
            assertThat(conn.unwrap(PGConnection.class)).isNotNull();
        }
        // longer than the one second the old floor turned "none" into
        String done = service.read(h -> h.createQuery("SELECT pg_sleep(1.5)::text || 'done'").mapTo(String.class).one());
        assertThat(done).isEqualTo("done");
        assertThat(service.errorCount()).isZero();
        manager.close();

        c.socketTimeout = Duration.ofMillis(2500);
        service(c.build());
        try (Connection conn = manager.router("main").primary().acquire()) {
            assertThat(conn.getNetworkTimeout()).isEqualTo(3000);
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_setting('application_name'), current_schema()")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("dbagent/main/primary");
                assertThat(rs.getString(2)).isEqualTo("public");
            }
        }
        assertThat(ConnectionFactory.seconds(Duration.ZERO)).isEqualTo("0");
        assertThat(ConnectionFactory.seconds(Duration.ofMillis(1))).isEqualTo("1");
        assertThat(ConnectionFactory.seconds(Duration.ofSeconds(30))).isEqualTo("30");
    }

    @Test
    void aUrlPgjdbcCannotParseNeverAppearsWithItsPassword(TestDatabase db) {
        String bad = "jdbc:postgresql://127.0.0.1:99999/x?password=hunter2";
        TestDb c = new TestDb(bad, db.user(), "pw-hunter3");
        manager = new ConnectionManager(List.of(c.build()), new MutableClock(), "test");
        ManagedPool pool = manager.router("main").primary();
        assertThat(pool.maskedUrl()).doesNotContain("hunter2");
        assertThat(pool.toString()).doesNotContain("hunter2");
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(pool::acquire);
        assertThat(failure).isInstanceOf(java.sql.SQLException.class)
                .hasMessageStartingWith("cannot connect to database 'main' (primary, jdbc:postgresql://127.0.0.1:99999/x?password=****)");
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain("hunter2", "hunter3");
            java.io.StringWriter trace = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(trace));
            assertThat(trace.toString()).doesNotContain("hunter2", "hunter3");
        }
        Throwable direct = org.assertj.core.api.Assertions.catchThrowable(() -> ConnectionFactory.primary(c.build())
                .open("probe"));
        assertThat(direct).hasMessage("cannot connect to database 'main' (jdbc:postgresql://127.0.0.1:99999/x?password=****): "
                + "Unable to parse URL jdbc:postgresql://127.0.0.1:99999/x?password=****");
        java.io.StringWriter trace = new java.io.StringWriter();
        direct.printStackTrace(new java.io.PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain("hunter2", "hunter3");
    }
}
