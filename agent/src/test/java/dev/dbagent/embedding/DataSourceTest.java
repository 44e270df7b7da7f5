package dev.dbagent.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.BreakerOpenException;
import dev.dbagent.DatabaseAgent;
import dev.dbagent.Intent;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.mbeans.CircuitBreakerMXBean;
import dev.dbagent.mbeans.ObjectNames;
import dev.dbagent.mbeans.PoolMXBean;
import dev.dbagent.testing.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An application that uses plain JDBC (as JPA, jOOQ or Spring's JdbcTemplate would) gets the
 * agent's routed, guarded pools: writes on the primary, reads on a real streaming replica with a
 * read-only session, and the pool breaker in front of both.
 */
class DataSourceTest {
    private static EmbeddedPostgres primary;
    private static EmbeddedPostgres replica;
    private static DatabaseAgent agent;
    private static MBeanServer mbeans;

    @BeforeAll
    static void start() throws SQLException {
        primary = EmbeddedPostgres.builder().start();
        try (Connection c = primary.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)");
        }
        replica = primary.startReplica("replica");
        AgentConfig config = AgentConfig.builder().name("jdbc-app").environment(Environment.TEST)
                .database("main", d -> d.url(primary.jdbcUrl("postgres")).user(primary.user())
                        .password(Secret.of(primary.password())).replica(replica.jdbcUrl("postgres"))
                        .set("readYourWritesMillis", 0).set("breaker.pool.waitOpenMillis", 600_000))
                .build();
        mbeans = MBeanServerFactory.newMBeanServer();
        agent = DatabaseAgent.builder(config).mbeanServer(mbeans).start();
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        for (EmbeddedPostgres pg : new EmbeddedPostgres[] {replica, primary}) {
            if (pg != null) {
                pg.close();
            }
        }
    }

    @Test
    void writesGoToThePrimaryAndReadsToTheReplicaWithAReadOnlySession() throws Exception {
        DataSource writes = agent.dataSource("main", Intent.WRITE);
        DataSource reads = agent.dataSource("main", Intent.READ);
        assertThat(agent.dataSource("main", Intent.WRITE)).isSameAs(writes);

        try (Connection c = writes.getConnection(); Statement s = c.createStatement()) {
            assertThat(one(s, "SELECT pg_is_in_recovery()::text")).isEqualTo("false");
            s.executeUpdate("INSERT INTO items VALUES (1, 'first')");
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            try (Connection c = reads.getConnection(); Statement s = c.createStatement()) {
                assertThat(one(s, "SELECT pg_is_in_recovery()::text")).isEqualTo("true");
                assertThat(one(s, "SELECT name FROM items WHERE id = 1")).isEqualTo("first");
            }
        });
        try (Connection c = reads.getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("INSERT INTO items VALUES (2, 'refused')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("read-only");
        }
        PoolMXBean replicaPool = JMX.newMXBeanProxy(mbeans, ObjectNames.pool("jdbc-app", "main", "replica-0"),
                PoolMXBean.class);
        assertThat(replicaPool.getActive()).isZero();
        try (Connection c = primary.connect("postgres"); Statement s = c.createStatement()) {
            assertThat(one(s, "SELECT count(*) FROM items")).isEqualTo("1");
        }
    }

    @Test
    void anOpenPoolBreakerFailsFastWithoutTouchingTheServer() throws Exception {
        CircuitBreakerMXBean breaker = JMX.newMXBeanProxy(mbeans,
                ObjectNames.poolBreaker("jdbc-app", "main", "primary"), CircuitBreakerMXBean.class);
        DataSource writes = agent.dataSource("main", Intent.WRITE);
        breaker.forceOpen();
        try {
            assertThat(breaker.getState()).isEqualTo("FORCED_OPEN");
            long before = breaker.getNotPermittedCalls();
            assertThatThrownBy(() -> {
                try (Connection c = writes.getConnection(); Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO items VALUES (99, 'must not arrive')");
                }
            }).isInstanceOfSatisfying(BreakerOpenException.class, e -> {
                assertThat(e.database()).isEqualTo("main");
                assertThat(e.role()).isEqualTo("primary");
                assertThat(e.layer()).isEqualTo("pool");
            });
            assertThat(breaker.getNotPermittedCalls()).isGreaterThan(before);
        } finally {
            breaker.reset();
        }
        try (Connection c = primary.connect("postgres"); Statement s = c.createStatement()) {
            assertThat(one(s, "SELECT count(*) FROM items WHERE id = 99")).isEqualTo("0");
        }
        try (Connection c = writes.getConnection(); Statement s = c.createStatement()) {
            assertThat(one(s, "SELECT 1")).isEqualTo("1");
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
