package dev.dbagent.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.Catalogue;
import dev.dbagent.DatabaseAgent;
import dev.dbagent.OperationRefusedException;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.ConfigLoader;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.health.HealthReport;
import dev.dbagent.health.HealthStatus;
import dev.dbagent.mbeans.ObjectNames;
import dev.dbagent.mbeans.OperationResultInfo;
import dev.dbagent.mbeans.OperationsMXBean;
import dev.dbagent.ops.OperationOutcome;
import dev.dbagent.ops.OperationResult;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.PostgresServer;
import dev.dbagent.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.spi.JdbiPlugin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * dbagent as a team embeds it: its own schema (two databases, each with its own changelog, one
 * given in code and one by config keys), its own DAO and value type, and operations that act on
 * the database they name and on no other.
 */
@ExtendWith(PostgresExtension.class)
class EmbeddingTest {
    private static final Catalogue ORDERS = Catalogue.of("dev/dbagent/embedding/orders.xml")
            .withReferenceContexts("reference").withDaos(OrderDao.class);

    private TestDatabase orders;
    private PostgresServer server;
    private String ledger;
    private MBeanServer mbeans;
    private DatabaseAgent agent;

    @BeforeEach
    void start(TestDatabase db) {
        orders = db;
        server = db.server();
        ledger = db.name() + "_ledger";
        server.createDatabase(ledger);
        mbeans = MBeanServerFactory.newMBeanServer();
        AgentConfig config = AgentConfig.builder().name("shop").environment(Environment.TEST)
                .database("orders", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password()))
                        .set("currentSchema", "shop").migrateOnStart(false))
                .database("ledger", d -> d.url(server.jdbcUrl(ledger)).user(db.user())
                        .password(Secret.of(db.password())).set("currentSchema", "books").migrateOnStart(false)
                        .changelog("dev/dbagent/embedding/ledger.xml"))
                .build();
        agent = DatabaseAgent.builder(config).mbeanServer(mbeans)
                .catalogue("orders", ORDERS)
                .jdbi("orders", jdbi -> jdbi.installPlugin(new MoneyPlugin()))
                .start();
    }

    @AfterEach
    void stop() throws SQLException {
        if (agent != null) {
            agent.close();
        }
        server.dropDatabase(ledger);
        exec(orders.name(), "DROP SCHEMA IF EXISTS shop CASCADE; DROP SCHEMA IF EXISTS dbagent CASCADE");
    }

    @Test
    void operationsActOnTheNamedDatabaseOnly() throws Exception {
        assertThat(agent.databases()).containsExactly("ledger", "orders");
        assertThatThrownBy(() -> agent.operations()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has 2 databases [ledger, orders]; name the database");
        assertThatThrownBy(() -> agent.operations("nope")).isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("no database 'nope'");

        HealthReport before = agent.health().runNow();
        assertThat(before.issues()).extracting(i -> i.message()).contains(
                "orders: never migrated by dbagent; run 'dbctl --db orders init'",
                "ledger: never migrated by dbagent; run 'dbctl --db ledger init'");

        OperationResult ledgerMigrate = agent.operations("ledger").migrate();
        assertThat(ledgerMigrate.success()).as(ledgerMigrate.toText()).isTrue();
        assertThat(tables(ledger, "books")).containsExactly("databasechangelog", "databasechangeloglock", "entries");
        assertThat(schemaExists(orders.name(), "shop")).isFalse();
        assertThat(schemaExists(ledger, "shop")).isFalse();

        OperationResult pending = agent.operations("orders").status();
        assertThat(pending.outcome()).isEqualTo(OperationOutcome.ANSWERED_NO);
        assertThat(pending.summary()).isEqualTo("0 applied, 3 pending");
        assertThat(agent.operations("ledger").status().summary()).isEqualTo("1 applied, 0 pending");

        OperationResult init = agent.operations("orders").init();
        assertThat(init.success()).as(init.toText()).isTrue();
        assertThat(tables(orders.name(), "shop")).contains("customers", "orders", "currencies");
        assertThat(schemaExists(ledger, "shop")).isFalse();
        assertThat(schemaExists(orders.name(), "books")).isFalse();

        OperationResult verify = agent.operations("orders").verify();
        assertThat(verify.success()).as(verify.toText()).isTrue();
        assertThat(verify.summary()).isEqualTo("4 statements of 1 DAOs planned against shop");
        assertThat(agent.operations("ledger").verify().summary()).isEqualTo("0 statements of 0 DAOs planned against books");
        assertThat(agent.operations("orders").drift().success()).isTrue();
        assertThat(agent.operations("ledger").drift().success()).isTrue();

        exec(orders.name(), "INSERT INTO shop.customers (name) VALUES ('ada')");
        exec(ledger, "INSERT INTO books.entries (account, amount_cents) VALUES ('cash', 100)");
        OperationResult reset = agent.operations("ledger").reset(agent.operations("ledger").prepareReset().value());
        assertThat(reset.success()).as(reset.toText()).isTrue();
        assertThat(count(ledger, "books.entries")).isZero();
        assertThat(count(orders.name(), "shop.customers")).isEqualTo(1);

        HealthReport after = agent.health().runNow();
        assertThat(after.checks().get("orders.migrations").status()).isEqualTo(HealthStatus.UP);
        assertThat(after.checks().get("ledger.migrations").status()).isEqualTo(HealthStatus.UP);

        // the same per-database operations over JMX, one MBean each
        OperationsMXBean overJmx = JMX.newMXBeanProxy(mbeans, ObjectNames.operations("shop", "ledger"),
                OperationsMXBean.class);
        OperationResultInfo status = overJmx.status();
        assertThat(status.getSummary()).isEqualTo("1 applied, 0 pending");
        assertThat(mbeans.isRegistered(ObjectNames.operations("shop", "orders"))).isTrue();
    }

    @Test
    void verifyReportsTheApplicationsDaoWhenAColumnIsDroppedByHand() throws Exception {
        assertThat(agent.operations("orders").init().success()).isTrue();
        exec(orders.name(), "ALTER TABLE shop.orders DROP COLUMN note");

        OperationResult verify = agent.operations("orders").verify();

        assertThat(verify.outcome()).isEqualTo(OperationOutcome.ANSWERED_NO);
        assertThat(verify.summary()).startsWith("2 of 4 statements fail against shop; first: ");
        assertThat(verify.steps()).filteredOn(s -> !s.detail().equals("ok"))
                .extracting(OperationResult.Step::name)
                .containsExactlyInAnyOrder("OrderDao.addOrder", "OrderDao.note");
        assertThat(verify.steps()).filteredOn(s -> s.name().equals("OrderDao.note")).singleElement()
                .satisfies(s -> assertThat(s.detail()).contains("column \"note\" does not exist"));
        assertThat(agent.operations("orders").drift().success()).isFalse();
        assertThat(agent.operations("ledger").verify().success()).isTrue();
    }

    @Test
    void theApplicationsJdbiPluginMapsItsOwnTypes() {
        assertThat(agent.operations("orders").init().success()).isTrue();
        var service = agent.service("orders");
        service.write(h -> h.attach(OrderDao.class).addCustomer("ada"));
        service.write(h -> h.attach(OrderDao.class).addOrder(1, new Money(1250), "first"));
        service.write(h -> h.attach(OrderDao.class).addOrder(1, new Money(99), null));

        List<Money> totals = service.read(OrderDao.class, dao -> dao.totals(1));

        assertThat(totals).containsExactly(new Money(1250), new Money(99));
        // the other database's Jdbi knows nothing of it
        assertThatThrownBy(() -> agent.service("ledger").read(h -> h.createQuery("SELECT 1::bigint")
                .mapTo(Money.class).one())).hasMessageContaining("Money");
    }

    @Test
    void schemaOperationsWithoutACatalogueAreRefusedAndChangeNothing(TestDatabase db) throws Exception {
        AgentConfig config = AgentConfig.builder().name("bare").environment(Environment.TEST)
                .database("plain", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password()))
                        .set("currentSchema", "bare"))
                .build();
        try (DatabaseAgent bare = DatabaseAgent.builder(config).mbeanServer(MBeanServerFactory.newMBeanServer())
                .start()) {
            for (var op : List.<Runnable>of(() -> bare.operations().migrate(), () -> bare.operations().init(),
                    () -> bare.operations().verify(), () -> bare.operations().prepareReset())) {
                assertThatThrownBy(op::run).isInstanceOf(OperationRefusedException.class)
                        .hasMessageContaining("no catalogue is configured for this database");
            }
            assertThat(schemaExists(db.name(), "bare")).isFalse();
            assertThat(bare.operations().releaseLock(false).success()).isTrue();
            assertThat(bare.health().runNow().checks()).doesNotContainKey("plain.migrations");
            int answer = bare.service().read(h -> h.createQuery("SELECT 41 + 1").mapTo(Integer.class).one());
            assertThat(answer).isEqualTo(42);
        }
    }

    @Test
    void aCatalogueForAnUnknownDatabaseIsRefusedAtBuild(TestDatabase db) {
        AgentConfig config = AgentConfig.builder().name("typo").environment(Environment.TEST)
                .database("main", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password())))
                .build();
        assertThatThrownBy(() -> DatabaseAgent.builder(config).catalogue("mian", ORDERS).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no database 'mian' is configured; known: [main]");
    }

    @Test
    void theShippedProductionExampleTargetsMainForMainAndAuditForAudit(TestDatabase db) throws Exception {
        String main = db.name() + "_main";
        String audit = db.name() + "_audit";
        server.createDatabase(main);
        server.createDatabase(audit);
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "CIVIC_DB_PASSWORD", db.password(), "CIVIC_READER_PASSWORD", db.password(),
                "AUDIT_DB_PASSWORD", db.password(), "CIVIC_JOLOKIA_PASSWORD", "unused-here"));
        // reachable URLs and the test server's user instead of the example's hosts and users
        env.putAll(Map.of(
                "DBAGENT_DB_MAIN_URL", server.jdbcUrl(main), "DBAGENT_DB_AUDIT_URL", server.jdbcUrl(audit),
                "DBAGENT_DB_MAIN_REPLICAS_0_URL", server.jdbcUrl(main), "DBAGENT_DB_MAIN_REPLICAS_1_URL", server.jdbcUrl(main),
                "DBAGENT_DB_MAIN_USER", db.user(), "DBAGENT_DB_AUDIT_USER", db.user(),
                "DBAGENT_DB_MAIN_REPLICAS_1_USER", db.user(),
                "DBAGENT_DB_MAIN_SSLMODE", "disable", "DBAGENT_DB_AUDIT_SSLMODE", "disable"));
        env.putAll(Map.of("DBAGENT_JMX_REMOTE_ENABLED", "false", "DBAGENT_JOLOKIA_ENABLED", "false"));
        AgentConfig config = ConfigLoader.create().file(exampleConfig("production.properties"))
                .environmentVariables(env).load();
        try (DatabaseAgent prod = DatabaseAgent.builder(config).mbeanServer(MBeanServerFactory.newMBeanServer())
                .start()) {
            assertThat(prod.operations("audit").migrate().success()).isTrue();
            assertThat(tables(audit, "audit")).contains("access_log");
            assertThat(schemaExists(main, "civic")).isFalse();

            OperationResult civic = prod.operations("main").migrate();
            assertThat(civic.success()).as(civic.toText()).isTrue();
            assertThat(tables(main, "civic")).contains("bills", "citizens", "accountability_ledger");
            assertThat(schemaExists(audit, "civic")).isFalse();
            assertThat(schemaExists(main, "audit")).isFalse();
            assertThatThrownBy(() -> prod.operations("audit").prepareReset())
                    .isInstanceOf(OperationRefusedException.class).hasMessageStartingWith("reset is refused in production");
        } finally {
            server.dropDatabase(main);
            server.dropDatabase(audit);
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** The application's plugin: how Money is bound and read. */
    static final class MoneyPlugin implements JdbiPlugin {
        @Override
        public void customizeJdbi(Jdbi jdbi) {
            jdbi.registerArgument(new AbstractArgumentFactory<Money>(Types.BIGINT) {
                @Override
                protected Argument build(Money value, ConfigRegistry config) {
                    return (position, statement, ctx) -> statement.setLong(position, value.cents());
                }
            });
            jdbi.registerColumnMapper(Money.class, (rs, column, ctx) -> new Money(rs.getLong(column)));
        }
    }

    static Path exampleConfig(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("jmx-config"))) {
                return dir.resolve("jmx-config").resolve(name);
            }
        }
        throw new IllegalStateException("jmx-config/ not found");
    }

    private List<String> tables(String database, String schema) throws SQLException {
        try (Connection c = server.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                     + schema + "' ORDER BY table_name")) {
            List<String> names = new java.util.ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        }
    }

    private boolean schemaExists(String database, String schema) throws SQLException {
        try (Connection c = server.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    private void exec(String database, String sql) throws SQLException {
        try (Connection c = server.connect(database); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private long count(String database, String table) throws SQLException {
        try (Connection c = server.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
