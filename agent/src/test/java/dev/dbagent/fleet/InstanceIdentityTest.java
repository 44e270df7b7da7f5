package dev.dbagent.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbagent.DatabaseAgent;
import dev.dbagent.InvalidConfigException;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.FleetSettings;
import dev.dbagent.config.Secret;
import dev.dbagent.mbeans.ObjectNames;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue 13.1: every instance of an application is identifiable on the server and in the agent. */
@ExtendWith(PostgresExtension.class)
class InstanceIdentityTest {

    static AgentConfig config(TestDatabase db, String name, Consumer<AgentConfig.Builder> more) {
        AgentConfig.Builder b = AgentConfig.builder().name(name).environment(Environment.TEST)
                .database("main", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password()))
                        .set("pool.minIdle", 1));
        more.accept(b);
        return b.build();
    }

    @Test
    void connectionsAuditRowsAndTheAgentBeanNameTheInstance(TestDatabase db) throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        try (DatabaseAgent agent = DatabaseAgent.builder(config(db, "shop", b -> b.set("dbagent.instance", "web-7")))
                .mbeanServer(server).start()) {
            agent.service("main").read(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
            assertThat(sessionNames(db)).contains("dbagent/shop/web-7/main/primary");
            assertThat(agent.config().instance()).isEqualTo("web-7");
            assertThat(server.getAttribute(ObjectNames.agent("shop"), "Instance")).isEqualTo("web-7");

            assertThat(agent.operations("main").health().success()).isTrue();
            try (Connection c = open(db); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT agent, instance, host FROM dbagent.audit_log"
                         + " WHERE operation = 'health' ORDER BY at DESC LIMIT 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("shop");
                assertThat(rs.getString(2)).isEqualTo("web-7");
                assertThat(rs.getString(3)).isNotBlank();
            }
        }
    }

    @Test
    void aLongInstanceIsCutTo63BytesExactlyAsTheServerShowsIt(TestDatabase db) throws Exception {
        String instance = "i-0123456789abcdef0.eu-west-1:" + "9".repeat(10);
        assertThat(instance).hasSize(FleetSettings.MAX_INSTANCE_BYTES);
        try (DatabaseAgent agent = DatabaseAgent.builder(config(db, "shop", b -> b.set("dbagent.instance", instance)))
                .mbeanServer(MBeanServerFactory.newMBeanServer()).start()) {
            agent.service("main").read(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
            String expected = ("dbagent/shop/" + instance + "/main/primary").substring(0, 63);
            assertThat(sessionNames(db)).contains(expected);
        }
    }

    @Test
    void unusableInstanceIdsAreRefusedAtLoadNamingTheKey(TestDatabase db) {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
                () -> config(db, "shop", b -> b.set("dbagent.instance", "a/b")));
        assertThat(e.problems()).anyMatch(p -> p.startsWith("dbagent.instance=a/b: must not contain '/'"));
        InvalidConfigException tooLong = catchThrowableOfType(InvalidConfigException.class,
                () -> config(db, "shop", b -> b.set("dbagent.instance", "x".repeat(41))));
        assertThat(tooLong.problems()).anyMatch(p -> p.contains("must be at most 40 characters, but was 41"));
        InvalidConfigException nonAscii = catchThrowableOfType(InvalidConfigException.class,
                () -> config(db, "shop", b -> b.set("dbagent.instance", "zürich-1")));
        assertThat(nonAscii.problems()).anyMatch(p -> p.startsWith("dbagent.instance=zürich-1: must be printable ASCII"));
        InvalidConfigException blank = catchThrowableOfType(InvalidConfigException.class,
                () -> config(db, "shop", b -> b.set("dbagent.instance", "web 1")));
        assertThat(blank.problems()).anyMatch(p -> p.contains("dbagent.instance must not contain white space"));
    }

    @Test
    void theDefaultInstanceIsHostAndPid(TestDatabase db) {
        AgentConfig c = config(db, "shop", b -> {});
        assertThat(c.instance()).endsWith(":" + ProcessHandle.current().pid()).doesNotContain("/");
        assertThat(c.fleet().expectedInstances()).isEqualTo(1);
    }

    static List<String> sessionNames(TestDatabase db) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = open(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT application_name FROM pg_stat_activity WHERE datname = current_database()")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    static Connection open(TestDatabase db) throws Exception {
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }
}
