package dev.dbagent.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.DatabaseAgent;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.health.CheckResult;
import dev.dbagent.health.HealthStatus;
import dev.dbagent.health.Issue;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue 13.3: the fleet's configured maxima against the server's connection slots. */
@ExtendWith(PostgresExtension.class)
class ConnectionBudgetTest {

    static DatabaseAgent agent(TestDatabase db, String instance, int expectedInstances, int maxTotal) {
        AgentConfig config = AgentConfig.builder().name("shop").environment(Environment.TEST)
                .set("dbagent.instance", instance)
                .set("dbagent.fleet.expectedInstances", expectedInstances)
                .database("main", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password()))
                        .set("pool.maxTotal", maxTotal).set("pool.minIdle", 1))
                .build();
        return DatabaseAgent.builder(config).mbeanServer(MBeanServerFactory.newMBeanServer()).start();
    }

    static int[] slots(TestDatabase db) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('max_connections')::int,"
                     + " current_setting('superuser_reserved_connections')::int"
                     + " + coalesce((SELECT setting::int FROM pg_settings WHERE name = 'reserved_connections'), 0)")) {
            rs.next();
            return new int[] {rs.getInt(1), rs.getInt(2)};
        }
    }

    @Test
    void aFleetThatFitsIsUpAndShowsTheFigures(TestDatabase db) throws Exception {
        int[] s = slots(db);
        try (DatabaseAgent agent = agent(db, "a-1", 2, 5)) {
            CheckResult r = agent.health().runNow().checks().get("main.connectionBudget");
            assertThat(r.status()).as(r.message()).isEqualTo(HealthStatus.UP);
            assertThat(r.issues()).isEmpty();
            assertThat(r.message()).startsWith("2 instance(s) x 7 = 14 connections at most for agent 'shop' (")
                    .contains("1 instance(s) connected)")
                    .endsWith(String.format("%d slots (max_connections %d - %d reserved)", s[0] - s[1], s[0], s[1]));
        }
    }

    @Test
    void aFleetThatCanExhaustTheServerIsDegradedWithASizingHint(TestDatabase db) throws Exception {
        int[] s = slots(db);
        int slots = s[0] - s[1];
        try (DatabaseAgent agent = agent(db, "a-1", 2, slots)) {
            CheckResult r = agent.health().runNow().checks().get("main.connectionBudget");
            assertThat(r.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(r.issues()).singleElement().satisfies(i -> {
                assertThat(i.severity()).isEqualTo(Issue.Severity.WARNING);
                assertThat(i.message()).startsWith("the fleet of agent 'shop' can exhaust the server: 2 instance(s) x "
                        + (slots + 2) + " connections + ").contains(" > " + slots + " slots; ")
                        .matches(".*; lower pool\\.maxTotal to at most \\d+ or raise max_connections");
            });
        }
        try (DatabaseAgent agent = agent(db, "a-1", slots, 20)) {
            CheckResult r = agent.health().runNow().checks().get("main.connectionBudget");
            assertThat(r.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(r.issues()).singleElement().satisfies(i -> assertThat(i.message())
                    .startsWith("the fleet of agent 'shop' can exhaust the server: " + slots + " instance(s) x 22 connections")
                    .endsWith("slots; raise max_connections or put a pooler (PgBouncer) in front"));
        }
    }

    @Test
    void moreInstancesConnectedThanTheBudgetIsSizedForAreReported(TestDatabase db) throws Exception {
        try (DatabaseAgent agent = agent(db, "a-1", 1, 2);
             Connection b = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement st = b.createStatement()) {
            st.execute("SET application_name = 'dbagent/shop/b-2/main/primary'");
            CheckResult r = agent.health().runNow().checks().get("main.connectionBudget");
            assertThat(r.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(r.message()).contains("2 instance(s) connected");
            assertThat(r.issues()).extracting(Issue::message).contains(
                    "2 instances of agent 'shop' are connected, but the budget is sized for 1 (dbagent.fleet.expectedInstances)");
        }
    }
}
