package dev.dbagent.embedding;

import dev.dbagent.DbctlProcess;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.Catalogue;
import dev.dbagent.DatabaseAgent;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.PostgresServer;
import dev.dbagent.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code scripts/dbctl} (over the real jmxterm jar and remote JMX connector) against an
 * agent with two databases: schema operations need {@code --db}, and act on that database only.
 */
@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DbctlDatabasesTest {

    @TempDir
    static Path dir;
    private static PostgresServer server;
    private static String orders;
    private static String ledger;
    private static DatabaseAgent agent;

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void start(TestDatabase db) throws Exception {
        Run fetch = dbctl("fetch-jmxterm");
        assertThat(fetch.exit()).as(fetch.err()).isZero();
        server = db.server();
        orders = db.name();
        ledger = db.name() + "_ledger";
        server.createDatabase(ledger);
        AgentConfig config = AgentConfig.builder().name("shop").environment(Environment.TEST)
                .database("orders", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password()))
                        .set("currentSchema", "shop").migrateOnStart(false)
                        .changelog("dev/dbagent/embedding/orders.xml"))
                .database("ledger", d -> d.url(server.jdbcUrl(ledger)).user(db.user())
                        .password(Secret.of(db.password())).set("currentSchema", "books").migrateOnStart(false))
                .set("dbagent.jmx.remote.enabled", true)
                .set("dbagent.jmx.remote.port", 0)
                .build();
        agent = DatabaseAgent.builder(config).mbeanServer(MBeanServerFactory.newMBeanServer())
                .catalogue("ledger", Catalogue.of("dev/dbagent/embedding/ledger.xml"))
                .start();
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.dropDatabase(ledger);
        }
    }

    private static String port() {
        String url = agent.jmxServiceUrl().orElseThrow().toString();
        return url.replaceAll(".*:(\\d+)/jmxrmi$", "$1");
    }

    @Test
    @Order(1)
    void aSchemaOperationOnAnAgentWithTwoDatabasesNeedsDb() throws Exception {
        Run run = dbctl("--port", port(), "--agent", "shop", "migrate");

        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("agent shop has several databases (ledger, orders): name one with --db");
        assertThat(schemaExists(orders, "shop")).isFalse();
        assertThat(schemaExists(ledger, "books")).isFalse();
    }

    @Test
    @Order(2)
    void migrateWithDbActsOnThatDatabaseOnly() throws Exception {
        Run run = dbctl("--port", port(), "--agent", "shop", "--db", "ledger", "migrate");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("success = true").contains("1 changeset applied")
                .doesNotContain("notification");
        assertThat(run.err()).contains("progress: migrate: 1 of 1: 1-entries (books)");
        assertThat(schemaExists(ledger, "books")).isTrue();
        assertThat(schemaExists(orders, "shop")).isFalse();

        Run status = dbctl("--port", port(), "--agent", "shop", "--db", "orders", "status");
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.out()).contains("0 applied, 4 pending");
    }

    @Test
    @Order(3)
    void anUnknownDatabaseIsNamedInTheError() throws Exception {
        Run run = dbctl("--port", port(), "--agent", "shop", "--db", "nope", "status");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("no such MBean: dev.dbagent:type=Operations,agent=shop,database=nope");
    }

    @Test
    @Order(4)
    void theMigrationLifecycleFromDbctlWithProgressAsItComes() throws Exception {
        String jmx = port();
        Run rollback = dbctl("--port", jmx, "--agent", "shop", "--db", "ledger", "rollback", "1");
        assertThat(rollback.exit()).as(rollback.out() + rollback.err()).isZero();
        assertThat(rollback.out()).contains("1 changeset rolled back");
        assertThat(rollback.err()).contains("progress: rollback: 1 of 1: 1-entries (books)");
        assertThat(tableExists(ledger, "books", "entries")).isFalse();

        Run preview = dbctl("--port", jmx, "--agent", "shop", "--db", "ledger", "preview");
        assertThat(preview.exit()).as(preview.err()).isZero();
        assertThat(preview.out()).contains("1 changeset pending").contains("CREATE TABLE entries");
        assertThat(tableExists(ledger, "books", "entries")).isFalse();

        Run bad = dbctl("--port", jmx, "--agent", "shop", "--db", "ledger", "rollback", "--tag");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("rollback takes a count (rollback 2) or a tag (rollback --tag v1.4)");

        Run sync = dbctl("--port", jmx, "--agent", "shop", "--db", "ledger", "changelog-sync");
        assertThat(sync.exit()).as(sync.err()).isZero();
        assertThat(sync.out()).contains("1 changeset recorded as applied without running them");
        assertThat(tableExists(ledger, "books", "entries")).isFalse();   // recorded, not run

        Run repair = dbctl("--port", jmx, "--agent", "shop", "--db", "ledger", "repair-checksums");
        assertThat(repair.exit()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("0 changed checksums repaired");
    }

    private static boolean tableExists(String database, String schema, String table) throws Exception {
        try (Connection c = server.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                     + schema + "' AND table_name = '" + table + "'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    private static boolean schemaExists(String database, String schema) throws Exception {
        try (Connection c = server.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    private static Run dbctl(String... args) throws Exception {
        DbctlProcess p = DbctlProcess.run(Map.of(), dir, List.of(args));
        return new Run(p.exit(), p.out(), p.err());
    }
}
