package dev.dbagent.pooler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.Catalogue;
import dev.dbagent.DatabaseAgent;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.health.CheckResult;
import dev.dbagent.health.HealthStatus;
import dev.dbagent.internal.pool.ConnectionFactory;
import dev.dbagent.ops.OperationResult;
import dev.dbagent.service.DatabaseService;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import dev.dbagent.mbeans.ObjectNames;
import dev.dbagent.mbeans.PoolMXBean;
import javax.management.JMX;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13.5: the agent behind a real PgBouncer in transaction pooling mode. pgbouncer lends a
 * server connection to a client for one transaction only, so whatever a session leaves on the
 * server (session read-only mode, named prepared statements) reaches the next client of that
 * server connection. The tests use pgbouncer pools of one server connection where they show a
 * failure (so which server connection a client gets is certain) and of two under load, always
 * with more agent connections than server connections.
 *
 * <p>Skipped, with the reason, where {@code pgbouncer} is not installed ({@code apt-get install
 * pgbouncer}).
 */
@ExtendWith(PostgresExtension.class)
class PgBouncerTest {
    private static final Catalogue V1 = Catalogue.of("dev/dbagent/fleet/v1.xml");

    private PgBouncer bouncer;

    /** In each test, not once for the class: Surefire then reports every test as skipped, with the reason. */
    @BeforeEach
    void needsPgBouncer() {
        Assumptions.assumeTrue(PgBouncer.binary().isPresent(), "pgbouncer is not installed (not on PATH, nor in"
                + " /usr/sbin): install it with 'apt-get install pgbouncer' to run the PgBouncer transaction-mode test");
    }

    @AfterEach
    void stopBouncer() {
        if (bouncer != null) {
            bouncer.close();
        }
    }

    @Test
    void withoutTheSettingPgBouncerRefusesTheSearchPathStartupParameter(TestDatabase db) throws Exception {
        startBouncer(db);
        // the agent's one connection factory, as its pools and operations use it
        ConnectionFactory plain = ConnectionFactory.primary(config(db, "one", d -> { }).databases().get(0));
        assertThatThrownBy(() -> plain.open("dbagent/main/primary").close()).isInstanceOf(SQLException.class)
                .hasMessageContaining("unsupported startup parameter: search_path")
                .hasMessageNotContaining(db.password());
        ConnectionFactory pooled = ConnectionFactory.primary(config(db, "one",
                d -> d.behindTransactionPooler(db.jdbcUrl())).databases().get(0));
        try (Connection c = pooled.open("dbagent/main/primary"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW search_path")) {
            rs.next();
            assertThat(rs.getString(1)).as("the server's own setting").isEqualTo("\"$user\", public");
        }
    }

    @Test
    void withoutTheSettingAReadLeavesTheServerSessionReadOnlyForTheNextClient(TestDatabase db) throws Exception {
        startBouncer(db, "extra_float_digits,search_path");
        createTable(db);
        try (DatabaseAgent agent = agent(db, "one", d -> { })) {
            DatabaseService service = agent.service("main");
            Throwable failure = writeWhileAnotherConnectionReads(service);
            assertThat(failure).as("the write landed on the server connection the read made read-only").isNotNull();
            assertThat(causes(failure)).anySatisfy(c -> assertThat(c).isInstanceOf(SQLException.class)
                    .hasMessageContaining("cannot execute INSERT in a read-only transaction"));
            assertThat(countItems(db)).as("nothing written").isZero();
        }
    }

    @Test
    void withTheSettingReadOnlyEndsWithTheReadsTransaction(TestDatabase db) throws Exception {
        startBouncer(db);
        createTable(db);
        try (DatabaseAgent agent = agent(db, "one", d -> d.behindTransactionPooler(db.jdbcUrl()))) {
            DatabaseService service = agent.service("main");
            assertThat(writeWhileAnotherConnectionReads(service)).isNull();
            assertThat(countItems(db)).isEqualTo(1);
        }
    }

    @Test
    void aWriteThroughAReadIsStillRefusedBehindThePooler(TestDatabase db) throws Exception {
        startBouncer(db);
        createTable(db);
        try (DatabaseAgent agent = agent(db, "one", d -> d.behindTransactionPooler(db.jdbcUrl()))) {
            DatabaseService service = agent.service("main");
            assertThatThrownBy(() -> service.read(h -> h.execute("INSERT INTO items(note) VALUES ('sneaky')")))
                    .satisfies(e -> assertThat(causes(e)).anySatisfy(c -> assertThat(c)
                            .hasMessageContaining("cannot execute INSERT in a read-only transaction")));
            assertThat(countItems(db)).as("nothing written").isZero();
            // and the refusal did not stick to the server connection either
            service.write(h -> h.execute("INSERT INTO items(note) VALUES ('ok')"));
            assertThat(countItems(db)).isEqualTo(1);
        }
    }

    @Test
    void withoutTheSettingNamedPreparedStatementsOfTwoClientsCollide(TestDatabase db) throws Exception {
        startBouncer(db, "extra_float_digits,search_path");
        createTable(db);
        try (DatabaseAgent agent = agent(db, "one", d -> d.set("pool.statementCacheSize", 50))) {
            Throwable failure = repeatOnTwoConnections(agent.service("main"));
            assertThat(failure).as("pgJDBC's named statement S_1 already exists on the shared server connection")
                    .isNotNull();
            assertThat(causes(failure)).anySatisfy(c -> assertThat(c).isInstanceOf(SQLException.class)
                    .hasMessageContaining("prepared statement \"S_1\" already exists"));
        }
    }

    @Test
    void withTheSettingNoServerSidePreparedStatementIsLeft(TestDatabase db) throws Exception {
        startBouncer(db);
        createTable(db);
        try (DatabaseAgent agent = agent(db, "one", d -> d.set("pool.statementCacheSize", 50)
                .behindTransactionPooler(db.jdbcUrl()))) {
            DatabaseService service = agent.service("main");
            assertThat(repeatOnTwoConnections(service)).isNull();
            long prepared = service.write(h -> {
                for (int i = 0; i < 10; i++) {
                    h.createQuery("SELECT count(*) FROM items WHERE id > :id").bind("id", i).mapTo(Long.class).one();
                }
                return h.createQuery("SELECT count(*) FROM pg_prepared_statements").mapTo(Long.class).one();
            });
            assertThat(prepared).as("server-side prepared statements on the server connection").isZero();
        }
    }

    @Test
    void readsAndWritesFromManyThreadsShareTwoServerConnections(TestDatabase db) throws Exception {
        startBouncer(db);
        createTable(db);
        int threads = 6;
        int perThread = 150;
        AgentConfig config = configBuilder(db, "two", d -> d.maxTotal(8).set("pool.statementCacheSize", 50)
                .behindTransactionPooler(db.jdbcUrl())).set("dbagent.fleet.expectedInstances", 50).build();
        try (DatabaseAgent agent = DatabaseAgent.builder(config).mbeanServer(MBeanServerFactory.newMBeanServer())
                .start()) {
            DatabaseService service = agent.service("main");
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<CompletableFuture<Void>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    done.add(CompletableFuture.runAsync(() -> {
                        for (int i = 0; i < perThread; i++) {
                            String note = thread + "-" + i;
                            try {
                                long id = service.write(h -> h.createQuery(
                                        "INSERT INTO items(note) VALUES (:note) RETURNING id").bind("note", note)
                                        .mapTo(Long.class).one());
                                String read = service.readOwnWrites(h -> h.createQuery(
                                        "SELECT note FROM items WHERE id = :id").bind("id", id).mapTo(String.class).one());
                                assertThat(read).isEqualTo(note);
                                service.read(h -> h.createQuery("SELECT count(*) FROM items").mapTo(Long.class).one());
                            } catch (Throwable e) {
                                failures.add(e);
                            }
                        }
                    }, pool));
                }
                CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            } finally {
                pool.shutdownNow();
            }
            assertThat(failures).as("failures seen by the callers").isEmpty();
            assertThat(countItems(db)).isEqualTo((long) threads * perThread);

            PoolMXBean primary = JMX.newMXBeanProxy(agent.mbeanServer(), ObjectNames.pool("pgb", "main", "primary"),
                    PoolMXBean.class);
            assertThat(primary.getCreatedCount()).as("agent connections opened to pgbouncer").isGreaterThan(2);
            // what an operator sees on the server: pgbouncer's server connections carry the
            // application_name of the agent session that used them last
            try (Connection direct = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                 Statement st = direct.createStatement();
                 ResultSet rs = st.executeQuery("SELECT application_name FROM pg_stat_activity WHERE datname = '"
                         + db.name() + "' AND pid <> pg_backend_pid() AND application_name LIKE '%/primary'")) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                assertThat(names).hasSizeBetween(1, 2).allSatisfy(n -> assertThat(n).isEqualTo("dbagent/pgb/i-1/main/primary"));
            }
            // 50 instances x 8 pooled connections would not fit max_connections 300; behind the
            // pooler only the direct connections of operations count against the server
            CheckResult budget = agent.health().runNow().checks().get("main.connectionBudget");
            assertThat(budget.status()).as(budget.message()).isEqualTo(HealthStatus.UP);
            assertThat(budget.message()).startsWith("50 instance(s) x 2 = 100 connections at most for agent 'pgb'");

        }
    }

    @Test
    void migrateRunsOverTheDirectUrlEvenWithThePoolerDown(TestDatabase db) throws Exception {
        startBouncer(db);
        try (DatabaseAgent agent = DatabaseAgent.builder(config(db, "two", d -> d.migrateOnStart(false)
                .behindTransactionPooler(db.jdbcUrl())))
                .catalogue("main", V1).mbeanServer(MBeanServerFactory.newMBeanServer()).start()) {
            bouncer.close();
            bouncer = null;
            OperationResult migrated = agent.operations("main").migrate();
            assertThat(migrated.success()).as(migrated.toText()).isTrue();
            assertThat(migrated.summary()).isEqualTo("1 changeset applied");
            try (Connection direct = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                 Statement st = direct.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM public.databasechangelog")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
    }

    // --- helpers ---------------------------------------------------------------------------

    /** pgbouncer as the README configures it: only extra_float_digits is ignored at start-up. */
    private void startBouncer(TestDatabase db) throws Exception {
        startBouncer(db, "extra_float_digits");
    }

    /**
     * @param ignoredStartupParameters pgbouncer's {@code ignore_startup_parameters}; without the
     *     setting pgJDBC also sends search_path, which pgbouncer refuses unless it is ignored
     */
    private void startBouncer(TestDatabase db, String ignoredStartupParameters) throws Exception {
        bouncer = PgBouncer.start(db.server().host(), db.server().port(), db.user(), db.password(),
                ignoredStartupParameters, Map.of(
                "one", "dbname=" + db.name() + " pool_size=1",
                "two", "dbname=" + db.name() + " pool_size=2"));
    }

    private AgentConfig config(TestDatabase db, String bouncerDb, Consumer<AgentConfig.DatabaseBuilder> spec) {
        return configBuilder(db, bouncerDb, spec).build();
    }

    private AgentConfig.Builder configBuilder(TestDatabase db, String bouncerDb,
            Consumer<AgentConfig.DatabaseBuilder> spec) {
        return AgentConfig.builder().name("pgb").environment(Environment.TEST).set("dbagent.instance", "i-1")
                .database("main", d -> {
                    d.url(bouncer.jdbcUrl(bouncerDb)).user(db.user()).password(Secret.of(db.password())).maxTotal(4);
                    spec.accept(d);
                });
    }

    private DatabaseAgent agent(TestDatabase db, String bouncerDb, Consumer<AgentConfig.DatabaseBuilder> spec) {
        return DatabaseAgent.builder(config(db, bouncerDb, spec)).mbeanServer(MBeanServerFactory.newMBeanServer()).start();
    }

    /**
     * One connection reads (and holds on to its agent connection), meanwhile another agent
     * connection writes. With a pgbouncer pool of one, both run on the same server connection.
     *
     * @return the write's failure, or null
     */
    private static Throwable writeWhileAnotherConnectionReads(DatabaseService service) throws Exception {
        CountDownLatch readStarted = new CountDownLatch(1);
        CountDownLatch written = new CountDownLatch(1);
        // the read sends nothing before its first statement (except, without the setting, the
        // session's read-only mode): a transaction kept open here would hold pgbouncer's only
        // server connection and make the write wait for it
        CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> service.read(h -> {
            readStarted.countDown();
            await(written);
            return h.createQuery("SELECT count(*) FROM items").mapTo(Long.class).one();
        }));
        await(readStarted);
        Throwable failure = null;
        try {
            service.write(h -> h.execute("INSERT INTO items(note) VALUES ('after a read')"));
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            written.countDown();
        }
        assertThat(reader.get(30, TimeUnit.SECONDS)).as("the read sees what the write committed")
                .isEqualTo(failure == null ? 1 : 0);
        return failure;
    }

    /**
     * Two agent connections each run one statement often enough for pgJDBC to prepare it on the
     * server (prepareThreshold 5): the second while the first is held by another caller.
     *
     * @return the first failure, or null
     */
    private static Throwable repeatOnTwoConnections(DatabaseService service) throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch otherDone = new CountDownLatch(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> service.read(h -> {
            holding.countDown();
            await(otherDone);
            for (int i = 0; i < 10; i++) {
                h.createQuery("SELECT count(*) FROM items WHERE id > :id").bind("id", i).mapTo(Long.class).one();
            }
            return null;
        }));
        await(holding);
        Throwable failure = null;
        try {
            for (int i = 0; i < 10; i++) {
                int id = i;
                service.read(h -> h.createQuery("SELECT count(*) FROM items WHERE id > :id").bind("id", id)
                        .mapTo(Long.class).one());
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            otherDone.countDown();
        }
        try {
            first.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (failure == null) {
                failure = e.getCause();
            }
        }
        return failure;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other caller did not arrive within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> all = new ArrayList<>();
        for (Throwable c = t; c != null && !all.contains(c); c = c.getCause()) {
            all.add(c);
        }
        return all;
    }

    private static void createTable(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items (id bigserial PRIMARY KEY, note text NOT NULL)");
        }
    }

    /** The test class shares one database: every test starts without the tables of the others. */
    @BeforeEach
    void dropTables(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS items, databasechangelog, databasechangeloglock CASCADE");
        }
    }

    private static long countItems(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
