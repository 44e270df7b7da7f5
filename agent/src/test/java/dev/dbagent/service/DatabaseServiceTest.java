package dev.dbagent.service;

import dev.dbagent.config.BreakerSettings;
import dev.dbagent.config.RetrySettings;
import dev.dbagent.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.dbagent.BreakerOpenException;
import dev.dbagent.internal.pool.Failures;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class DatabaseServiceTest {

    /** A SqlObject DAO as an application would write it. */
    public interface Accounts {
        @SqlUpdate("INSERT INTO account(id, owner) VALUES (:id, :owner)")
        int insert(@Bind("id") int id, @Bind("owner") String owner);

        @SqlQuery("SELECT owner FROM account WHERE id = :id")
        String owner(@Bind("id") int id);
    }

    private PooledTestProvider provider;

    @BeforeAll
    static void schema(TestDatabase db) {
        db.jdbi().useHandle(h -> h.execute("CREATE TABLE account(id int PRIMARY KEY, owner text NOT NULL)"));
    }

    @AfterEach
    void closeProvider() {
        if (provider != null) {
            provider.close();
        }
    }

    private DatabaseService service(TestDatabase db, ServiceSettings settings, MetricRegistry metrics) {
        provider = PooledTestProvider.direct(db, 10);
        return DatabaseService.builder(provider).agentName("test").settings(settings).metrics(metrics).build();
    }

    private static long count(MetricRegistry m, String name) {
        return m.getCounters().get(name).getCount();
    }

    @Test
    void readsWritesTransactionsAndDaosRoundTrip(TestDatabase db) {
        MetricRegistry metrics = new MetricRegistry();
        DatabaseService service = service(db, ServiceSettings.defaults(), metrics);
        String p = "dbagent.test." + db.name();

        int inserted = service.write(h -> h.execute("INSERT INTO account(id, owner) VALUES (?, ?)", 1, "ada"));
        int daoInserted = service.write(Accounts.class, dao -> dao.insert(2, "bob"));
        String owner = service.read(h -> h.createQuery("SELECT owner FROM account WHERE id = 1").mapTo(String.class).one());
        String daoOwner = service.readOwnWrites(Accounts.class, dao -> dao.owner(2));
        Integer serializableCount = service.transaction(TxOptions.serializable(),
                h -> h.createQuery("SELECT count(*) FROM account WHERE id IN (1, 2)").mapTo(Integer.class).one());
        String isolation = service.transaction(TxOptions.serializable().withReadOnly(true),
                h -> h.createQuery("SHOW transaction_isolation").mapTo(String.class).one());
        String readOnly = service.read(h -> h.createQuery("SHOW transaction_read_only").mapTo(String.class).one());
        String timeout = service.transaction(TxOptions.DEFAULT.withTimeout(Duration.ofMillis(1500)),
                h -> h.createQuery("SHOW statement_timeout").mapTo(String.class).one());

        assertThat(inserted).isEqualTo(1);
        assertThat(daoInserted).isEqualTo(1);
        assertThat(owner).isEqualTo("ada");
        assertThat(daoOwner).isEqualTo("bob");
        assertThat(serializableCount).isEqualTo(2);
        assertThat(isolation).isEqualTo("serializable");
        assertThat(readOnly).isEqualTo("on");
        assertThat(timeout).isEqualTo("1500ms");

        assertThat(metrics.getTimers().get(p + ".read.calls").getCount()).isEqualTo(3);
        assertThat(metrics.getTimers().get(p + ".transaction.calls").getCount()).isEqualTo(3);
        assertThat(count(metrics, p + ".service.errors.application")).isZero();
        // The session settings of the pooled connection were left clean for the next borrower.
        String after = service.write(h -> h.createQuery("SELECT current_setting('transaction_read_only') || '/' "
                + "|| current_setting('statement_timeout') || '/' || current_setting('transaction_isolation')")
                .mapTo(String.class).one());
        assertThat(after).isEqualTo("off/0/read committed");
        assertThat(metrics.getTimers().get(p + ".write.calls").getCount()).isEqualTo(3);
    }

    @Test
    void callTimersCountEveryCallButKeepABoundedSample(TestDatabase db) {
        MetricRegistry metrics = new MetricRegistry();
        DatabaseService service = service(db, ServiceSettings.defaults(), metrics);
        for (int i = 0; i < 2_000; i++) {
            Integer one = service.read(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
            assertThat(one).isEqualTo(1);
        }
        // a time-window reservoir would hold every call of its window and sort them at each read
        Timer reads = metrics.getTimers().get("dbagent.test." + db.name() + ".read.calls");
        assertThat(reads.getCount()).isEqualTo(2_000);
        assertThat(reads.getSnapshot().size()).isEqualTo(1_028);
        assertThat(reads.getSnapshot().get99thPercentile()).isPositive();
    }

    @Test
    void readCallsCannotWrite(TestDatabase db) {
        MetricRegistry metrics = new MetricRegistry();
        DatabaseService service = service(db, ServiceSettings.defaults(), metrics);

        assertThatThrownBy(() -> service.read(h -> h.execute("INSERT INTO account(id, owner) VALUES (99, 'x')")))
                .isInstanceOf(UnableToExecuteStatementException.class)
                .hasMessageContaining("read-only transaction");
        assertThat(Failures.sqlState(catchOf(() -> service.readOwnWrites(
                h -> h.execute("DELETE FROM account"))))).isEqualTo("25006");
        assertThat(count(metrics, "dbagent.test." + db.name() + ".service.errors.application")).isEqualTo(2);
        assertThat(service.retryCount()).isZero();
    }

    @Test
    void statementTimeoutCancelsTheTransaction(TestDatabase db) {
        DatabaseService service = service(db, ServiceSettings.defaults(), new MetricRegistry());

        Throwable t = catchOf(() -> service.transaction(TxOptions.DEFAULT.withTimeout(Duration.ofMillis(100)),
                h -> h.execute("SELECT pg_sleep(5)")));

        assertThat(t).isInstanceOf(UnableToExecuteStatementException.class)
                .hasMessageContaining("canceling statement due to statement timeout");
        assertThat(Failures.sqlState(t)).isEqualTo("57014");
    }

    @Test
    void applicationErrorsNeverOpenTheBreaker(TestDatabase db) {
        MetricRegistry metrics = new MetricRegistry();
        ServiceSettings settings = new ServiceSettings(Duration.ofSeconds(10), 10, ServiceSettings.defaults().retry(),
                new BreakerSettings(50, 5, 10, Duration.ofSeconds(30), 1, Duration.ofSeconds(60)));
        DatabaseService service = service(db, settings, metrics);
        service.write(h -> h.execute("INSERT INTO account(id, owner) VALUES (1000, 'dup') ON CONFLICT DO NOTHING"));

        int constraint = 0;
        int syntax = 0;
        for (int i = 0; i < 1000; i++) {
            Throwable t = i % 2 == 0
                    ? catchOf(() -> service.write(h -> h.execute("INSERT INTO account(id, owner) VALUES (1000, 'again')")))
                    : catchOf(() -> service.read(h -> h.execute("SELEC 1")));
            String state = Failures.sqlState(t);
            if ("23505".equals(state)) {
                constraint++;
            } else if ("42601".equals(state)) {
                syntax++;
            } else {
                throw new AssertionError("unexpected failure " + state, t);
            }
        }

        String p = "dbagent.test." + db.name();
        assertThat(constraint).isEqualTo(500);
        assertThat(syntax).isEqualTo(500);
        assertThat(service.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(service.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(count(metrics, p + ".service.errors.constraint")).isEqualTo(500);
        assertThat(count(metrics, p + ".service.errors.syntax")).isEqualTo(500);
        assertThat(count(metrics, p + ".service.errors.infrastructure")).isZero();
        assertThat(service.retryCount()).isZero();
        assertThat(service.callCount()).isEqualTo(1001);
        assertThat(service.errorCount()).isEqualTo(1000);
        assertThat(service.errorsByExceptionClass())
                .containsExactly(Map.entry(UnableToExecuteStatementException.class.getName(), 1000L));
    }

    @Test
    void connectionFailuresOpenTheBreakerAndTheClockClosesIt(TestDatabase db) {
        MetricRegistry metrics = new MetricRegistry();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ServiceSettings settings = new ServiceSettings(Duration.ofSeconds(10), 10,
                new RetrySettings(2, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(10)),
                new BreakerSettings(50, 4, 4, Duration.ofSeconds(30), 1, Duration.ofSeconds(60)));
        provider = PooledTestProvider.via(db, "127.0.0.1", 1);
        DatabaseService service = DatabaseService.builder(provider).agentName("test").settings(settings)
                .metrics(metrics).clock(clock).build();
        String p = "dbagent.test." + db.name();
        @SuppressWarnings("unchecked")
        Gauge<Integer> state = (Gauge<Integer>) metrics.getGauges().get(p + ".service.breaker.state");

        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> service.read(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()))
                    .isInstanceOf(ConnectionException.class)
                    .satisfies(t -> assertThat(Failures.isInfrastructure(t)).isTrue());
        }
        assertThat(service.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(state.getValue()).isEqualTo(CircuitBreaker.State.OPEN.getOrder());
        assertThat(service.retryCount()).isEqualTo(4);

        AtomicInteger ran = new AtomicInteger();
        assertThatThrownBy(() -> service.write(h -> ran.incrementAndGet()))
                .isInstanceOf(BreakerOpenException.class)
                .hasMessageContaining("circuit breaker service of database '" + db.name() + "' (*) is OPEN")
                .satisfies(t -> {
                    BreakerOpenException b = (BreakerOpenException) t;
                    assertThat(b.layer()).isEqualTo("service");
                    assertThat(b.role()).isEqualTo("*");
                    assertThat(b.state()).isEqualTo("OPEN");
                });
        assertThat(ran).hasValue(0);
        assertThat(count(metrics, p + ".service.errors.infrastructure")).isEqualTo(4);
        assertThat(count(metrics, p + ".service.errors.breaker-rejected")).isEqualTo(1);
        assertThat(service.errorsByExceptionClass()).containsExactly(
                Map.entry(ConnectionException.class.getName(), 4L),
                Map.entry(BreakerOpenException.class.getName(), 1L));

        provider.pointAtServer();
        clock.advance(Duration.ofSeconds(31));
        Integer one = service.read(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());

        assertThat(one).isEqualTo(1);
        assertThat(service.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(state.getValue()).isEqualTo(CircuitBreaker.State.CLOSED.getOrder());
    }

    @Test
    void poolBreakerRejectionsPassThroughUncountedAndUnretried(TestDatabase db) {
        MetricRegistry metrics = new MetricRegistry();
        DatabaseService service = service(db, ServiceSettings.defaults(), metrics);
        provider.poolBreakerOpen(true);

        assertThatThrownBy(() -> service.write(h -> h.execute("SELECT 1")))
                .isInstanceOf(BreakerOpenException.class)
                .hasMessageStartingWith("circuit breaker pool of database '" + db.name() + "' (primary) is OPEN");

        assertThat(service.retryCount()).isZero();
        assertThat(service.circuitBreaker().getMetrics().getNumberOfBufferedCalls()).isZero();
        assertThat(count(metrics, "dbagent.test." + db.name() + ".service.errors.breaker-rejected")).isEqualTo(1);
    }

    @Test
    void slowCallsAreRecordedWithoutValues(TestDatabase db) {
        MetricRegistry metrics = new MetricRegistry();
        ServiceSettings settings = new ServiceSettings(Duration.ofMillis(150), 2, ServiceSettings.defaults().retry(),
                ServiceSettings.defaults().breaker());
        DatabaseService service = service(db, settings, metrics);

        service.read(h -> h.createQuery("SELECT 1 FROM account WHERE owner <> 'top-secret' AND id <> :id")
                .bind("id", 424242).mapTo(Integer.class).list());
        // The first call may be slow for opening the pool's first connection; start from a clean buffer.
        service.clearSlowQueries();
        long before = service.slowQueryCount();
        String slow = service.read(h -> h.createQuery(
                        "SELECT 'top-secret' || pg_sleep(0.3)::text FROM (SELECT :id AS id) x WHERE x.id = 424242")
                .bind("id", 424242).mapTo(String.class).one());

        List<SlowQuery> recorded = service.slowQueries();
        assertThat(slow).isEqualTo("top-secret");
        assertThat(recorded).hasSize(1);
        SlowQuery q = recorded.get(0);
        assertThat(q.database()).isEqualTo(db.name());
        assertThat(q.role()).isEqualTo("primary");
        assertThat(q.kind()).isEqualTo(CallKind.READ);
        assertThat(q.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(q.sql()).isEqualTo("SELECT ? || pg_sleep(?)::text FROM (SELECT :id AS id) x WHERE x.id = ?");
        assertThat(q.sql()).doesNotContain("top-secret").doesNotContain("424242");
        assertThat(q.statements()).isEqualTo(1);
        assertThat(q.attempts()).isEqualTo(1);
        assertThat(q.callSite()).startsWith(DatabaseServiceTest.class.getName() + ".slowCallsAreRecordedWithoutValues(");
        assertThat(q.toText()).contains(db.name() + " (primary) read took");
        assertThat(service.slowQueryCount()).isEqualTo(before + 1);
        assertThat(count(metrics, "dbagent.test." + db.name() + ".service.slow-queries")).isEqualTo(before + 1);

        for (int i = 0; i < 3; i++) {
            service.readOwnWrites(h -> h.execute("SELECT pg_sleep(0.16)"));
        }
        List<SlowQuery> newestFirst = service.slowQueries();
        assertThat(newestFirst).hasSize(2).allMatch(s -> s.kind() == CallKind.READ_OWN_WRITES);
        assertThat(newestFirst.get(0).at()).isAfterOrEqualTo(newestFirst.get(1).at());
        assertThat(service.slowQueryCount()).isEqualTo(before + 4);
    }

    @Test
    void closeRemovesTheMetrics(TestDatabase db) {
        MetricRegistry metrics = new MetricRegistry();
        DatabaseService service = service(db, ServiceSettings.defaults(), metrics);
        assertThat(metrics.getNames()).contains("dbagent.test." + db.name() + ".read.calls",
                "dbagent.test." + db.name() + ".service.retries",
                "dbagent.test." + db.name() + ".service.outcome-unknown");

        service.close();

        assertThat(metrics.getNames()).isEmpty();
    }

    static Throwable catchOf(ThrowingRunnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected an exception");
    }

    /** A call that may throw anything. */
    interface ThrowingRunnable {
        void run() throws Throwable;
    }
}
