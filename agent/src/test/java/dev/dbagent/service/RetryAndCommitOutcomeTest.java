package dev.dbagent.service;

import dev.dbagent.Intent;
import dev.dbagent.config.BreakerSettings;
import dev.dbagent.config.RetrySettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.dbagent.OutcomeUnknownException;
import dev.dbagent.internal.pool.Failures;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.dbagent.testing.Closer;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class RetryAndCommitOutcomeTest {
    private static final ServiceSettings PATIENT = new ServiceSettings(Duration.ofSeconds(30), 10,
            new RetrySettings(20, Duration.ofMillis(5), Duration.ofMillis(100), Duration.ofSeconds(60)),
            new BreakerSettings(50, 100, 100, Duration.ofSeconds(30), 1, Duration.ofSeconds(60)));

    @RegisterExtension
    final Closer closer = new Closer();
    private MetricRegistry metrics;

    @BeforeAll
    static void schema(TestDatabase db) {
        db.jdbi().useHandle(h -> {
            h.execute("CREATE TABLE ledger(id serial PRIMARY KEY, amount int NOT NULL, seen_total int NOT NULL)");
            h.execute("CREATE TABLE outbox(id int PRIMARY KEY, body text NOT NULL)");
        });
    }

    @BeforeEach
    void registry() {
        metrics = new MetricRegistry();
    }



    /** Several commits first, so pgJDBC sends COMMIT as a server-side prepared statement by then. */
    private static void warmUp(DatabaseService service) {
        for (int i = 0; i < 6; i++) {
            service.write(h -> h.execute("SELECT pg_current_xact_id()"));
        }
    }

    private static int rows(TestDatabase db, int id) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM outbox WHERE id = :id")
                .bind("id", id).mapTo(Integer.class).one());
    }

    /** A patient service whose connections pass through the commit-cutting proxy. */
    private DatabaseService patientServiceVia(TestDatabase db, CommitCutter proxy) throws Exception {
        PooledTestProvider provider = closer.add(PooledTestProvider.via(db, "127.0.0.1", proxy.port()));
        return DatabaseService.builder(provider).agentName("test").settings(PATIENT).metrics(metrics).build();
    }

    @Test
    void conflictingSerializableTransactionsAreRetriedToSuccess(TestDatabase db) throws Exception {
        PooledTestProvider provider = closer.add(PooledTestProvider.direct(db, 10));
        DatabaseService service = DatabaseService.builder(provider).agentName("test").settings(PATIENT)
                .metrics(metrics).build();
        int threads = 8;
        CountDownLatch allRead = new CountDownLatch(threads);
        AtomicInteger attempts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            results.add(pool.submit(() -> {
                boolean[] first = {true};
                return service.transaction(TxOptions.serializable(), h -> {
                    attempts.incrementAndGet();
                    int total = h.createQuery("SELECT coalesce(sum(amount), 0) FROM ledger").mapTo(Integer.class).one();
                    if (first[0]) {
                        // Every first attempt reads before any writes: a guaranteed read/write conflict.
                        first[0] = false;
                        allRead.countDown();
                        allRead.await(30, TimeUnit.SECONDS);
                    }
                    h.execute("INSERT INTO ledger(amount, seen_total) VALUES (1, ?)", total);
                    return total;
                });
            }));
        }
        List<Integer> seen = new ArrayList<>();
        for (Future<Integer> f : results) {
            seen.add(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();

        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
        List<Integer> stored = db.jdbi().withHandle(h -> h.createQuery("SELECT seen_total FROM ledger ORDER BY id")
                .mapTo(Integer.class).list());
        assertThat(stored).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(attempts.get()).isGreaterThan(threads);
        assertThat(service.retryCount()).isEqualTo(attempts.get() - threads);
        assertThat(metrics.getCounters().get("dbagent.test." + db.name() + ".service.retries").getCount())
                .isEqualTo(attempts.get() - threads);
        assertThat(metrics.getCounters().get("dbagent.test." + db.name() + ".service.errors.serialization").getCount())
                .isZero();
    }

    @Test
    void writeWhoseConnectionCouldNotBeAcquiredIsRetried(TestDatabase db) {
        PooledTestProvider provider = closer.add(PooledTestProvider.via(db, "127.0.0.1", 1));
        DatabaseService service = DatabaseService.builder(provider).agentName("test").settings(PATIENT)
                .metrics(metrics).build();
        // The database "comes back" while the service waits before its first retry.
        service.retry().getEventPublisher().onRetry(event -> provider.pointAtServer());
        AtomicInteger runs = new AtomicInteger();

        int inserted = service.write(h -> {
            runs.incrementAndGet();
            return h.execute("INSERT INTO outbox(id, body) VALUES (20, 'after retry')");
        });

        assertThat(inserted).isEqualTo(1);
        assertThat(runs).hasValue(1);
        assertThat(service.retryCount()).isEqualTo(1);
        assertThat(rows(db, 20)).isEqualTo(1);
    }

    @Test
    void poolExhaustionReachesTheCallerWithCountsUnretriedAndUncounted(TestDatabase db) throws Exception {
        PooledTestProvider provider = closer.add(PooledTestProvider.direct(db, 1, Duration.ofMillis(100)));
        ServiceSettings settings = new ServiceSettings(Duration.ofSeconds(30), 10,
                new RetrySettings(3, Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofSeconds(10)),
                new BreakerSettings(50, 100, 100, Duration.ofSeconds(30), 1, Duration.ofSeconds(60)));
        DatabaseService service = DatabaseService.builder(provider).agentName("test").settings(settings)
                .metrics(metrics).build();
        AtomicInteger runs = new AtomicInteger();

        try (var held = provider.acquire(dev.dbagent.Intent.WRITE)) {
            assertThatThrownBy(() -> service.write(h -> runs.incrementAndGet()))
                    .isInstanceOf(dev.dbagent.PoolExhaustedException.class)
                    .hasMessage("pool of database '" + db.name() + "' (primary) exhausted: no connection within "
                            + "100 ms (total=1, active=1, idle=0, waiting=0)");
        }

        // backpressure: the caller already waited max wait; a retry would only wait again
        assertThat(runs).hasValue(0);
        assertThat(service.retryCount()).isZero();
        assertThat(service.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(metrics.getCounters().get("dbagent.test." + db.name() + ".service.errors.infrastructure").getCount())
                .isZero();
        assertThat(metrics.getCounters().get("dbagent.test." + db.name() + ".service.errors.pool-exhausted").getCount())
                .isEqualTo(1);
    }

    @Test
    void retriesStopWhenTheTimeBudgetIsSpent(TestDatabase db) {
        PooledTestProvider provider = closer.add(PooledTestProvider.via(db, "127.0.0.1", 1));
        ServiceSettings budget = new ServiceSettings(Duration.ofSeconds(30), 10,
                new RetrySettings(1000, Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(300)),
                new BreakerSettings(50, 100, 100, Duration.ofSeconds(30), 1, Duration.ofSeconds(60)));
        DatabaseService service = DatabaseService.builder(provider).agentName("test").settings(budget)
                .metrics(metrics).build();

        assertThatThrownBy(() -> service.read(h -> h.execute("SELECT 1")))
                .satisfies(t -> assertThat(Failures.isInfrastructure(t)).isTrue());

        // 300 ms allow about six 50 ms waits; the 1000 attempts are never reached.
        assertThat(service.retryCount()).isBetween(1L, 20L);
    }

    @Test
    void readThatLostItsConnectionIsRetried(TestDatabase db) throws Exception {
        CommitCutter proxy = closer.add(new CommitCutter(db.server().host(), db.server().port()));
        DatabaseService service = patientServiceVia(db, proxy);
        AtomicInteger runs = new AtomicInteger();

        Integer value = service.read(h -> {
            if (runs.incrementAndGet() == 1) {
                proxy.cutAll();
                // The backend session behind the proxy is gone; this statement fails with 08006.
                return h.createQuery("SELECT pg_sleep(1)::text, 1").mapTo(Integer.class).one();
            }
            return h.createQuery("SELECT 42").mapTo(Integer.class).one();
        });

        assertThat(value).isEqualTo(42);
        assertThat(runs).hasValue(2);
        assertThat(service.retryCount()).isEqualTo(1);
    }

    @Test
    void writeThatLostItsConnectionBeforeCommitIsRetriedOnce(TestDatabase db) throws Exception {
        CommitCutter proxy = closer.add(new CommitCutter(db.server().host(), db.server().port()));
        DatabaseService service = patientServiceVia(db, proxy);
        AtomicInteger runs = new AtomicInteger();

        int result = service.write(h -> {
            h.execute("INSERT INTO outbox(id, body) VALUES (10, 'attempt " + runs.incrementAndGet() + "')");
            if (runs.get() == 1) {
                proxy.cutAll(); // COMMIT never sent: the server rolls the first attempt back
                h.execute("SELECT pg_sleep(1)");
            }
            return runs.get();
        });

        assertThat(result).isEqualTo(2);
        assertThat(service.retryCount()).isEqualTo(1);
        assertThat(rows(db, 10)).isEqualTo(1);
        String body = db.jdbi().withHandle(h -> h.createQuery("SELECT body FROM outbox WHERE id = 10")
                .mapTo(String.class).one());
        assertThat(body).isEqualTo("attempt 2");
        assertThat(metrics.getCounters().get("dbagent.test." + db.name() + ".service.errors.infrastructure").getCount())
                .isZero();
    }

    @Test
    void writeThatKeepsLosingItsConnectionBeforeCommitFailsWithJdbiTypeAfterTheBudget(TestDatabase db)
            throws Exception {
        CommitCutter proxy = closer.add(new CommitCutter(db.server().host(), db.server().port()));
        PooledTestProvider provider = closer.add(PooledTestProvider.via(db, "127.0.0.1", proxy.port()));
        ServiceSettings three = new ServiceSettings(Duration.ofSeconds(30), 10,
                new RetrySettings(3, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(30)),
                new BreakerSettings(50, 100, 100, Duration.ofSeconds(30), 1, Duration.ofSeconds(60)));
        DatabaseService service = DatabaseService.builder(provider).agentName("test").settings(three)
                .metrics(metrics).build();
        AtomicInteger runs = new AtomicInteger();

        assertThatThrownBy(() -> service.write(h -> {
            runs.incrementAndGet();
            h.execute("INSERT INTO outbox(id, body) VALUES (11, 'never')");
            proxy.cutAll();
            return h.execute("SELECT pg_sleep(1)");
        }))
                .isInstanceOf(UnableToExecuteStatementException.class)
                .satisfies(t -> assertThat(Failures.isInfrastructure(t)).isTrue());

        assertThat(runs).hasValue(3);
        assertThat(service.retryCount()).isEqualTo(2);
        assertThat(rows(db, 11)).isZero();
        assertThat(metrics.getCounters().get("dbagent.test." + db.name() + ".service.errors.infrastructure").getCount())
                .isEqualTo(1);
    }

    @Test
    void commitThatReachedTheServerIsReportedCommittedAndNotRepeated(TestDatabase db) throws Exception {
        CommitCutter proxy = closer.add(new CommitCutter(db.server().host(), db.server().port()));
        DatabaseService service = patientServiceVia(db, proxy);
        AtomicInteger runs = new AtomicInteger();

        warmUp(service);
        proxy.arm(CommitCutter.Mode.AFTER_COMMIT_REACHED_SERVER);
        String result = service.write(h -> {
            runs.incrementAndGet();
            h.execute("INSERT INTO outbox(id, body) VALUES (1, 'once')");
            return "written";
        });

        assertThat(proxy.cuts()).isEqualTo(1);
        assertThat(result).isEqualTo("written");
        assertThat(runs).hasValue(1);
        assertThat(rows(db, 1)).isEqualTo(1);
        assertThat(service.retryCount()).isZero();
        assertThat(service.outcomeUnknownCount()).isZero();
    }

    @Test
    void commitThatNeverReachedTheServerIsReportedRolledBack(TestDatabase db) throws Exception {
        CommitCutter proxy = closer.add(new CommitCutter(db.server().host(), db.server().port()));
        DatabaseService service = patientServiceVia(db, proxy);
        AtomicInteger runs = new AtomicInteger();

        warmUp(service);
        proxy.arm(CommitCutter.Mode.BEFORE_COMMIT_REACHED_SERVER);
        assertThatThrownBy(() -> service.write(h -> {
            runs.incrementAndGet();
            return h.execute("INSERT INTO outbox(id, body) VALUES (2, 'lost')");
        }))
                .isInstanceOf(TransactionRolledBackException.class)
                .hasMessageContaining("database '" + db.name() + "'")
                .hasMessageContaining("aborted")
                .satisfies(t -> assertThat(((TransactionRolledBackException) t).transactionId()).matches("\\d+"));

        assertThat(proxy.cuts()).isEqualTo(1);
        assertThat(runs).hasValue(1);
        assertThat(rows(db, 2)).isZero();
        assertThat(service.retryCount()).isZero();
        assertThat(service.outcomeUnknownCount()).isZero();
    }

    @Test
    void commitWhoseServerCannotBeAskedIsOutcomeUnknown(TestDatabase db) throws Exception {
        CommitCutter proxy = closer.add(new CommitCutter(db.server().host(), db.server().port()));
        PooledTestProvider provider = closer.add(PooledTestProvider.via(db, "127.0.0.1", proxy.port()));
        ServiceSettings quick = new ServiceSettings(Duration.ofSeconds(30), 10,
                new RetrySettings(3, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(5)),
                ServiceSettings.defaults().breaker());
        DatabaseService service = DatabaseService.builder(provider).agentName("test").settings(quick)
                .metrics(metrics).build();
        AtomicInteger runs = new AtomicInteger();
        long previousTxid = Long.parseLong(service.write(
                h -> h.createQuery("SELECT pg_current_xact_id()::text").mapTo(String.class).one()));

        proxy.arm(CommitCutter.Mode.AND_CLOSE_PROXY);
        assertThatThrownBy(() -> service.write(h -> {
            runs.incrementAndGet();
            return h.execute("INSERT INTO outbox(id, body) VALUES (3, 'unknown')");
        }))
                .isInstanceOf(OutcomeUnknownException.class)
                .hasMessageStartingWith("connection to database '" + db.name() + "' was lost during COMMIT of transaction ")
                .hasMessageContaining("the server could not be asked")
                .satisfies(t -> {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("transaction (\\d+) and its outcome")
                            .matcher(t.getMessage());
                    assertThat(m.find()).isTrue();
                    assertThat(Long.parseLong(m.group(1))).isGreaterThan(previousTxid);
                    OutcomeUnknownException unknown = (OutcomeUnknownException) t;
                    assertThat(unknown.transactionId()).isEqualTo(m.group(1));
                    assertThat(unknown.database()).isEqualTo(db.name());
                })
                .hasMessageContaining("check whether the write happened before repeating it")
                .satisfies(t -> assertThat(Failures.isInfrastructure(t)).isTrue());

        assertThat(runs).hasValue(1);
        assertThat(service.outcomeUnknownCount()).isEqualTo(1);
        assertThat(metrics.getCounters().get("dbagent.test." + db.name() + ".service.outcome-unknown").getCount())
                .isEqualTo(1);
        assertThat(service.retryCount()).isZero();
        // The COMMIT never reached the server, which rolled the transaction back when the proxy closed.
        assertThat(rows(db, 3)).isZero();
    }
}
