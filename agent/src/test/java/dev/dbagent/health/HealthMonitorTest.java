package dev.dbagent.health;

import dev.dbagent.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dbagent.Intent;
import dev.dbagent.service.PooledTestProvider;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import dev.dbagent.testing.Closer;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class HealthMonitorTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @RegisterExtension
    final Closer closer = new Closer();



    @Test
    void healthyDatabaseIsUp(TestDatabase db) {
        PooledTestProvider provider = closer.add(PooledTestProvider.direct(db, 4));
        HealthMonitor monitor = new HealthMonitor("test", List.of(
                HealthChecks.roundTrip(db.name() + ".roundTrip", provider, Intent.WRITE, Duration.ofSeconds(5)),
                HealthChecks.sessions(db.name() + ".sessions", provider, Duration.ofSeconds(60), Duration.ofSeconds(30))),
                new MutableClock(T0), null);

        HealthReport report = monitor.runNow();

        assertThat(report.status()).isEqualTo(HealthStatus.UP);
        assertThat(report.ranAt()).isEqualTo(T0);
        assertThat(report.checks().keySet()).containsExactly(db.name() + ".roundTrip", db.name() + ".sessions");
        CheckResult roundTrip = report.checks().get(db.name() + ".roundTrip");
        assertThat(roundTrip.status()).isEqualTo(HealthStatus.UP);
        assertThat(roundTrip.message()).startsWith("SELECT 1 in ").endsWith(" ms on primary of '" + db.name() + "'");
        assertThat(roundTrip.latency()).isPositive();
        assertThat(report.checks().get(db.name() + ".sessions").message())
                .isEqualTo("0 long-transaction, 0 idle-in-transaction session(s)");
        assertThat(report.issues()).isEmpty();
        assertThat(report.toText()).startsWith("health UP at 2026-01-01T00:00:00Z (took ")
                .contains("  UP        " + db.name() + ".roundTrip")
                .endsWith("issues: none\n");
        assertThat(monitor.lastReport()).contains(report);
    }

    @Test
    void longTransactionAndIdleInTransactionSessionsAreIssues(TestDatabase db) throws Exception {
        PooledTestProvider provider = closer.add(PooledTestProvider.direct(db, 4));
        String name = db.name() + ".sessions";
        HealthMonitor monitor = new HealthMonitor("test",
                List.of(HealthChecks.sessions(name, provider, Duration.ofMillis(300), Duration.ofMillis(300))),
                new MutableClock(T0), null);

        Connection idle = closer.add(db.dataSource().getConnection());
        idle.setAutoCommit(false);
        int idlePid;
        try (Statement st = idle.createStatement()) {
            st.execute("SET application_name = 'idler'");
            var rs = st.executeQuery("SELECT pg_backend_pid()");
            rs.next();
            idlePid = rs.getInt(1);
        }
        Connection busy = closer.add(db.dataSource().getConnection());
        int busyPid;
        try (Statement st = busy.createStatement()) {
            st.execute("SET application_name = 'sleeper'");
            var rs = st.executeQuery("SELECT pg_backend_pid()");
            rs.next();
            busyPid = rs.getInt(1);
        }
        CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
            try (Statement st = busy.createStatement()) {
                st.execute("SELECT pg_sleep(60), 'do-not-show-me'");
            } catch (Exception expected) {
                // terminated at the end of the test
            }
        });

        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> monitor.runNow().issues().size() == 2);
            HealthReport report = monitor.lastReport().orElseThrow();

            assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(report.checks().get(name).message()).isEqualTo("1 long-transaction, 1 idle-in-transaction session(s)");
            assertThat(report.issues()).allSatisfy(i -> {
                assertThat(i.severity()).isEqualTo(Issue.Severity.WARNING);
                assertThat(i.check()).isEqualTo(name);
            });
            assertThat(report.issues()).anySatisfy(i -> assertThat(i.message())
                    .startsWith("session pid " + busyPid + " (user " + db.user() + ", application 'sleeper') "
                            + "has been running a transaction for ")
                    .endsWith("(threshold 0.3 s); current statement: SELECT pg_sleep(?), ?"));
            assertThat(report.issues()).anySatisfy(i -> assertThat(i.message())
                    .startsWith("session pid " + idlePid + " (user " + db.user() + ", application 'idler') "
                            + "has been idle in transaction for ")
                    .contains("holding its locks and snapshot; last statement: SELECT pg_backend_pid()"));
            assertThat(report.toText()).contains("  DEGRADED  " + name).contains("WARNING [" + name + "] session pid ");
        } finally {
            try (Connection admin = db.dataSource().getConnection(); Statement st = admin.createStatement()) {
                st.execute("SELECT pg_terminate_backend(" + busyPid + ")");
            }
            sleeping.join();
        }
    }

    @Test
    void unreachableDatabaseIsDownAndAThrowingCheckIsContained(TestDatabase db) {
        PooledTestProvider provider = closer.add(PooledTestProvider.via(db, "127.0.0.1", 1));
        HealthMonitor monitor = new HealthMonitor("test", List.of(
                HealthChecks.roundTrip("roundtrip", provider, Intent.READ, Duration.ofSeconds(1)),
                HealthChecks.of("broken", () -> {
                    throw new IllegalStateException("no lag information");
                }),
                HealthChecks.of("quiet-degraded", () -> CheckResult.degraded("replica lag 12 s", List.of()))),
                new MutableClock(T0), null);

        HealthReport report = monitor.runNow();

        assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
        CheckResult roundTrip = report.checks().get("roundtrip");
        assertThat(roundTrip.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(roundTrip.message()).startsWith("database '" + db.name() + "' (read) unreachable: SQLException [08001]")
                .doesNotContain(db.password());
        assertThat(report.checks().get("broken").status()).isEqualTo(HealthStatus.DOWN);
        assertThat(report.checks().get("broken").message()).isEqualTo("check failed: IllegalStateException: no lag information");
        assertThat(report.checks().get("broken").latency()).isGreaterThanOrEqualTo(Duration.ZERO);
        assertThat(report.issues()).extracting(Issue::severity, Issue::check).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Issue.Severity.CRITICAL, "roundtrip"),
                org.assertj.core.groups.Tuple.tuple(Issue.Severity.CRITICAL, "broken"),
                org.assertj.core.groups.Tuple.tuple(Issue.Severity.WARNING, "quiet-degraded"));
        assertThat(report.issues().get(2).message()).isEqualTo("replica lag 12 s");
    }

    @Test
    void breakerStatesMapToHealth() {
        CircuitBreaker service = CircuitBreaker.ofDefaults("dbagent.test.orders.service");
        CircuitBreaker pool = CircuitBreaker.ofDefaults("dbagent.test.orders.pool.primary");
        HealthMonitor monitor = new HealthMonitor("test",
                List.of(HealthChecks.breakers("breakers", List.of(service, pool))), new MutableClock(T0), null);

        assertThat(monitor.runNow().status()).isEqualTo(HealthStatus.UP);
        pool.transitionToOpenState();
        pool.transitionToHalfOpenState();
        HealthReport halfOpen = monitor.runNow();
        service.transitionToForcedOpenState();
        HealthReport open = monitor.runNow();

        assertThat(halfOpen.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(halfOpen.issues()).extracting(Issue::message).containsExactly(
                "breaker dbagent.test.orders.pool.primary is HALF_OPEN: probing whether the database recovered");
        assertThat(open.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(open.checks().get("breakers").message()).isEqualTo("2 breaker(s), 2 not closed");
        assertThat(open.issues()).extracting(Issue::severity)
                .containsExactly(Issue.Severity.CRITICAL, Issue.Severity.WARNING);
        assertThat(open.issues().get(0).message())
                .isEqualTo("breaker dbagent.test.orders.service is FORCED_OPEN: calls are rejected");
    }

    @Test
    void listenersHearUpDownUpFromTheSchedule(TestDatabase db) {
        PooledTestProvider provider = closer.add(PooledTestProvider.direct(db, 4));
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        closer.add(executor::shutdownNow);
        HealthMonitor monitor = closer.add(new HealthMonitor("test",
                List.of(HealthChecks.roundTrip("roundtrip", provider, Intent.WRITE, Duration.ofSeconds(1))),
                new MutableClock(T0), executor));
        List<HealthStatusChange> changes = new CopyOnWriteArrayList<>();
        AtomicInteger failingListenerCalls = new AtomicInteger();
        monitor.addListener(c -> {
            failingListenerCalls.incrementAndGet();
            throw new IllegalStateException("listener bug");
        });
        monitor.addListener(changes::add);

        monitor.start(Duration.ofMillis(50));
        assertThat(monitor.isRunning()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.size() == 1);
        provider.pointAt("127.0.0.1", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.size() == 2);
        provider.pointAtServer();
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.size() == 3);
        monitor.stop();

        assertThat(changes).extracting(HealthStatusChange::toText)
                .containsExactly("(none) -> UP", "UP -> DOWN", "DOWN -> UP");
        assertThat(changes.get(1).report().issues()).singleElement()
                .satisfies(i -> assertThat(i.message()).contains("unreachable"));
        assertThat(failingListenerCalls).hasValue(3);
        assertThat(monitor.isRunning()).isFalse();
        assertThat(executor.isShutdown()).isFalse();
        assertThat(monitor.runNow().status()).isEqualTo(HealthStatus.UP);
    }

    private static boolean healthThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("dbagent-health-own-thread") && t.isAlive());
    }

    @Test
    void ownThreadIsStoppedAndChecksAreManaged() {
        AtomicInteger runs = new AtomicInteger();
        HealthMonitor monitor = new HealthMonitor("own-thread",
                List.of(HealthChecks.of("counter", () -> CheckResult.up("run " + runs.incrementAndGet()))),
                new MutableClock(T0), null);

        monitor.start(Duration.ofMillis(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 2);
        assertThat(healthThreadAlive()).isTrue();
        monitor.stop();
        monitor.stop();

        assertThat(monitor.isRunning()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> !healthThreadAlive());
        monitor.addCheck(HealthChecks.of("second", () -> CheckResult.up("ok")));
        assertThat(monitor.checkNames()).containsExactly("counter", "second");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> monitor.addCheck(HealthChecks.of("second", () -> CheckResult.up("dup"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a health check named 'second' already exists");
        assertThat(monitor.removeCheck("counter")).isTrue();
        assertThat(monitor.runNow().checks()).containsOnlyKeys("second");
    }
}
