package dev.dbagent.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.Catalogue;
import dev.dbagent.DatabaseAgent;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.health.CheckResult;
import dev.dbagent.health.HealthReport;
import dev.dbagent.health.HealthStatus;
import dev.dbagent.health.Issue;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import javax.management.MBeanServerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue 13.2: health checks that hold up when many instances share one database. */
@ExtendWith(PostgresExtension.class)
class FleetHealthTest {
    static final Catalogue V1 = Catalogue.of("dev/dbagent/fleet/v1.xml");
    static final Catalogue V2 = Catalogue.of("dev/dbagent/fleet/v2.xml");

    static DatabaseAgent agent(TestDatabase db, String schema, String name, String instance, Catalogue catalogue,
            boolean migrate) {
        return agent(db, schema, name, instance, catalogue, migrate, 5);
    }

    static DatabaseAgent agent(TestDatabase db, String schema, String name, String instance, Catalogue catalogue,
            boolean migrate, int maxTotal) {
        AgentConfig config = AgentConfig.builder().name(name).environment(Environment.TEST)
                .set("dbagent.instance", instance)
                .set("dbagent.health.longTransactionSeconds", 1)
                .set("dbagent.health.idleInTransactionSeconds", 1)
                .database("main", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password()))
                        .set("currentSchema", schema).set("pool.maxTotal", maxTotal)
                        .migrateOnStart(migrate))
                .build();
        return DatabaseAgent.builder(config).catalogue("main", catalogue)
                .mbeanServer(MBeanServerFactory.newMBeanServer()).start();
    }

    @Test
    void anOlderInstanceSeesADatabaseAheadAsUpWithAnInfoAndANewerOneSeesPending(TestDatabase db) {
        try (DatabaseAgent v2 = agent(db, "ahead", "shop-v2", "new-1", V2, true);
             DatabaseAgent v1 = agent(db, "ahead", "shop-v1", "old-1", V1, false)) {
            CheckResult old = v1.health().runNow().checks().get("main.migrations");
            assertThat(old.status()).as(old.message()).isEqualTo(HealthStatus.UP);
            assertThat(old.message()).isEqualTo("up to date, ahead 1");
            assertThat(old.issues()).singleElement().satisfies(i -> {
                assertThat(i.severity()).isEqualTo(Issue.Severity.INFO);
                assertThat(i.message()).isEqualTo("main: database is ahead of this version by 1 changeset(s), first"
                        + " 2-items-price (fleet) in dev/dbagent/fleet/items-2.sql (a newer version migrated it;"
                        + " expected during a rolling deploy)");
            });
            CheckResult current = v2.health().runNow().checks().get("main.migrations");
            assertThat(current.status()).isEqualTo(HealthStatus.UP);
            assertThat(current.message()).isEqualTo("up to date");
            assertThat(current.issues()).isEmpty();
        }
    }

    @Test
    void aNewerVersionBeforeItMigratesReportsPendingAsDegraded(TestDatabase db) {
        try (DatabaseAgent v1 = agent(db, "pending", "shop-v1", "old-1", V1, true);
             DatabaseAgent v2 = agent(db, "pending", "shop-v2", "new-1", V2, false)) {
            CheckResult r = v2.health().runNow().checks().get("main.migrations");
            assertThat(r.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(r.message()).isEqualTo("pending 1");
            assertThat(r.issues()).singleElement().satisfies(i -> {
                assertThat(i.severity()).isEqualTo(Issue.Severity.WARNING);
                assertThat(i.message()).startsWith("main: 1 changeset(s) pending, first 2-items-price (fleet)");
            });
            assertThat(v2.operations("main").migrate().success()).isTrue();
            CheckResult after = v2.health().runNow().checks().get("main.migrations");
            assertThat(after.status()).isEqualTo(HealthStatus.UP);
            assertThat(after.message()).isEqualTo("up to date");
            CheckResult old = v1.health().runNow().checks().get("main.migrations");
            assertThat(old.message()).isEqualTo("up to date, ahead 1");
        }
    }

    @Test
    void anotherInstancesIdleTransactionIsInfoNotThisInstancesProblem(TestDatabase db) throws Exception {
        try (DatabaseAgent a = agent(db, "others", "shop", "a-1", V1, true);
             Connection other = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement s = other.createStatement()) {
            s.execute("SET application_name = 'dbagent/shop/b-2/main/primary'");
            other.setAutoCommit(false);
            s.execute("SELECT 1");
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                CheckResult r = a.health().runNow().checks().get("main.sessions");
                assertThat(r.status()).isEqualTo(HealthStatus.UP);
                assertThat(r.message()).isEqualTo("0 long-transaction, 0 idle-in-transaction session(s) of this"
                        + " instance; 1 of other sessions");
                assertThat(r.issues()).singleElement().satisfies(i -> {
                    assertThat(i.severity()).isEqualTo(Issue.Severity.INFO);
                    assertThat(i.message()).contains("other session pid", "application 'dbagent/shop/b-2/main/primary'",
                            "idle in transaction");
                });
            });
            other.rollback();
        }
    }

    @Test
    void thisInstancesOwnIdleTransactionDegradesIt(TestDatabase db) throws Exception {
        try (DatabaseAgent a = agent(db, "own", "shop", "a-1", V1, true);
             Connection own = a.dataSource("main", dev.dbagent.Intent.WRITE).getConnection();
             Statement s = own.createStatement()) {
            own.setAutoCommit(false);
            s.execute("SELECT 1");
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                HealthReport report = a.health().runNow();
                CheckResult r = report.checks().get("main.sessions");
                assertThat(r.status()).isEqualTo(HealthStatus.DEGRADED);
                assertThat(r.message()).startsWith("0 long-transaction, 1 idle-in-transaction session(s) of this instance");
                assertThat(r.issues()).anySatisfy(i -> {
                    assertThat(i.severity()).isEqualTo(Issue.Severity.WARNING);
                    assertThat(i.message()).contains("application 'dbagent/shop/a-1/main/primary'");
                });
            });
            own.rollback();
        }
    }

    @Test
    void theMigrationProbeBorrowsFromThePoolInsteadOfLoggingIn(TestDatabase db) throws Exception {
        try (DatabaseAgent a = agent(db, "pooled", "shop", "a-1", V1, true, 1)) {
            assertThat(a.health().runNow().checks().get("main.migrations").message()).isEqualTo("up to date");
            try (Connection held = a.dataSource("main", dev.dbagent.Intent.WRITE).getConnection()) {
                // the pool's only connection is taken: a probe that borrows cannot run, one that logs in could
                CheckResult r = a.health().runNow().checks().get("main.migrations");
                assertThat(r.status()).isEqualTo(HealthStatus.DOWN);
                assertThat(r.message()).startsWith("cannot read the migration state: PoolExhaustedException");
            }
            assertThat(a.health().runNow().checks().get("main.migrations").status()).isEqualTo(HealthStatus.UP);
        }
    }
}
