package dev.dbagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.health.HealthReport;
import dev.dbagent.health.HealthStatus;
import dev.dbagent.schema.foundation.JurisdictionDao;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class DatabaseAgentTest {

    /** An agent over the reference domain, wired as an application wires its own catalogue. */
    static DatabaseAgent.Builder civic(AgentConfig config) {
        return DatabaseAgent.builder(config).catalogue("main", CivicCatalogue.catalogue());
    }

    static AgentConfig config(TestDatabase db, String name, Consumer<AgentConfig.Builder> more) {
        AgentConfig.Builder b = AgentConfig.builder().name(name).environment(Environment.TEST)
                .database("main", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password()))
                        .set("currentSchema", "civic").migrateOnStart(true));
        more.accept(b);
        return b.build();
    }

    @Test
    void startsMigratesServesAndStopsLeavingNothingBehind(TestDatabase db) throws Exception {
        Set<String> threadsBefore = threadNames();
        DatabaseAgent agent = civic(config(db, "life", b -> {})).start();
        try {
            assertThat(agent.isRunning()).isTrue();
            assertThat(agent.start()).isSameAs(agent);
            assertThat(agent.operations().init().success()).isTrue();
            java.util.List<?> jurisdictions = agent.service("main").read(JurisdictionDao.class, dao -> dao.list(0, 10));
            assertThat(jurisdictions).isNotEmpty();
            HealthReport report = agent.health().runNow();
            assertThat(report.status()).as(report.toText()).isEqualTo(HealthStatus.UP);
            assertThat(report.checks().keySet()).contains("main.primary.roundTrip", "main.primary.saturation", "main.breakers", "main.sessions");
            assertThat(dbagentSessions(db)).isPositive();
            var registry = agent.metrics();
            assertThat(registry.getGauges().get("dbagent.life.main.pool.primary.max").getValue())
                    .isEqualTo(agent.config().databases().get(0).pool().maxTotal());
            assertThat(registry.getGauges().get("dbagent.life.main.pool.primary.breakerState").getValue()).isEqualTo(0);
            assertThat(registry.getHistograms().get("dbagent.life.main.pool.primary.borrowWaitMicros").getCount())
                    .isPositive();
        } finally {
            agent.close();
        }
        agent.close();
        assertThat(agent.isRunning()).isFalse();
        assertThat(agent.metrics().getNames()).noneMatch(n -> n.startsWith("dbagent.life.main.pool."));
        assertThatThrownBy(() -> agent.service("main")).isInstanceOf(IllegalStateException.class)
                .hasMessage("agent 'life' is not running");
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(dbagentSessions(db)).isZero();
            assertThat(threadNames()).isSubsetOf(threadsBefore);
        });
    }

    @Test
    void severalNamedAgentsRunInOneJvmButNotTwoOfTheSameName(TestDatabase db) {
        try (DatabaseAgent a = civic(config(db, "alpha", b -> {})).start();
             DatabaseAgent b = civic(config(db, "beta", x -> {})).start()) {
            Integer one = a.service("main").read(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
            Integer two = b.service("main").read(h -> h.createQuery("SELECT 2").mapTo(Integer.class).one());
            assertThat(one).isEqualTo(1);
            assertThat(two).isEqualTo(2);
            DatabaseAgent twin = civic(config(db, "alpha", x -> {})).build();
            assertThatThrownBy(twin::start).isInstanceOf(OperationRefusedException.class)
                    .hasMessageContaining("an agent named 'alpha' is already running in this JVM");
            assertThat(a.isRunning()).isTrue();
        }
    }

    @Test
    void aFailedStartUndoesWhatHadStarted(TestDatabase db) throws Exception {
        Set<String> threadsBefore = threadNames();
        DatabaseAgent agent = civic(config(db, "broken", b -> {}))
                .catalogue("main", Catalogue.of("no/such/changelog.xml")).build();
        assertThatThrownBy(agent::start).isInstanceOf(DbAgentException.class)
                .hasMessageContaining("no/such/changelog.xml was not found");
        assertThat(agent.isRunning()).isFalse();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(dbagentSessions(db)).isZero();
            assertThat(threadNames()).isSubsetOf(threadsBefore);
        });
        // the name is free again
        try (DatabaseAgent again = civic(config(db, "broken", b -> {})).start()) {
            assertThat(again.isRunning()).isTrue();
        }
    }

    @Test
    void healthReportsPendingMigrationsAndAStaleLock(TestDatabase shared) throws Exception {
        shared.server().createDatabase("never_migrated");
        String url = shared.server().jdbcUrl("never_migrated");
        AgentConfig cfg = AgentConfig.builder().name("pending").environment(Environment.TEST)
                .database("main", d -> d.url(url).user(shared.user()).password(Secret.of(shared.password()))
                        .set("currentSchema", "civic").migrateOnStart(false))
                .build();
        try (DatabaseAgent agent = civic(cfg).start()) {
            HealthReport before = agent.health().runNow();
            assertThat(before.status()).as(before.toText()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(before.issues()).extracting(i -> i.message())
                    .contains("main: never migrated by dbagent; run 'dbctl --db main init'");

            assertThat(agent.operations().migrate().success()).isTrue();
            try (Connection c = shared.server().connect("never_migrated"); Statement s = c.createStatement()) {
                s.execute("UPDATE civic.databasechangeloglock SET locked = true, lockgranted = now(),"
                        + " lockedby = 'ghost (killed)' WHERE id = 1");
            }
            HealthReport stale = agent.health().runNow();
            assertThat(stale.checks().get("main.migrations").message()).isEqualTo("up to date");
            assertThat(stale.issues()).extracting(i -> i.message())
                    .anySatisfy(m -> assertThat(m).startsWith("main: stale migration lock:").contains("ghost (killed)"));

            assertThat(agent.operations().releaseLock(false).success()).isTrue();
            HealthReport after = agent.health().runNow();
            assertThat(after.status()).as(after.toText()).isEqualTo(HealthStatus.UP);
        } finally {
            shared.server().dropDatabase("never_migrated");
        }
    }

    @Test
    void eightAgentsStartingAtOnceMigrateEachChangesetExactlyOnce(TestDatabase shared) throws Exception {
        shared.server().createDatabase("eight_agents");
        String url = shared.server().jdbcUrl("eight_agents");
        java.util.List<DatabaseAgent> agents = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try {
            java.util.List<java.util.concurrent.Future<DatabaseAgent>> starts = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                AgentConfig cfg = AgentConfig.builder().name("racer" + i).environment(Environment.TEST)
                        .database("main", d -> d.url(url).user(shared.user()).password(Secret.of(shared.password()))
                                .set("currentSchema", "civic").migrateOnStart(true))
                        .build();
                starts.add(pool.submit(() -> {
                    go.await();
                    DatabaseAgent a = civic(cfg).start();
                    agents.add(a);
                    return a;
                }));
            }
            go.countDown();
            for (var f : starts) {
                assertThat(f.get(180, java.util.concurrent.TimeUnit.SECONDS).isRunning()).isTrue();
            }
            try (Connection c = shared.server().connect("eight_agents"); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT (id, author, filename))"
                        + " FROM civic.databasechangelog")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isPositive().isEqualTo(rs.getInt(2));
                }
            }
            // the schema is exactly what one migrate builds: drift compares it with a fresh build
            var drift = agents.get(0).operations().drift();
            assertThat(drift.success()).as(drift.toText()).isTrue();
        } finally {
            pool.shutdownNow();
            agents.forEach(DatabaseAgent::close);
            shared.server().dropDatabase("eight_agents");
        }
    }

    @Test
    void toStringCarriesNoSecret(TestDatabase db) {
        AgentConfig cfg = config(db, "secretive", b -> {});
        DatabaseAgent agent = civic(cfg).build();
        assertThat(agent.toString()).doesNotContain(db.password());
        assertThat(cfg.toString()).doesNotContain(db.password());
    }

    private static int dbagentSessions(TestDatabase db) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                     + " AND application_name LIKE 'dbagent%' AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> !n.startsWith("ForkJoinPool") && !n.startsWith("awaitility"))
                .collect(Collectors.toSet());
    }
}
