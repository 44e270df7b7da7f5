package dev.dbagent.internal.jmx.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dbagent.DatabaseAgent;
import dev.dbagent.Intent;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.mbeans.Notifications;
import dev.dbagent.mbeans.ObjectNames;
import dev.dbagent.mbeans.PoolMXBean;
import dev.dbagent.service.DatabaseService;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live pool control (issue 12.4) through the real RMI connector with authentication: resize,
 * soft eviction and credential rotation on a running agent whose application user logs in with a
 * password read from a {@code file:} reference, under load, with a real {@code ALTER ROLE ...
 * PASSWORD} on the server. Every change is checked on the server ({@code pg_stat_activity}), in the
 * audit table and as a notification; every refusal is checked to have changed nothing.
 */
@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolControlTest {

    private static final String AGENT = "poolctl";
    private static final String ROLE = "pool_rotation";
    private static final ObjectName POOL = ObjectNames.pool(AGENT, "main", "primary");

    @TempDir
    static Path dir;

    private static TestDatabase db;
    private static Path secretFile;
    private static String password = "first-Secret-1";
    private static DatabaseAgent agent;

    @BeforeAll
    static void start(TestDatabase database) throws Exception {
        db = database;
        try (Connection c = superuser(); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + password + "'");
            st.execute("GRANT CREATE, CONNECT ON DATABASE " + db.name() + " TO " + ROLE);
            st.execute("CREATE SCHEMA rot AUTHORIZATION " + ROLE);
            st.execute("CREATE TABLE rot.writes (id bigserial PRIMARY KEY, writer text NOT NULL)");
            st.execute("ALTER TABLE rot.writes OWNER TO " + ROLE);
        }
        secretFile = dir.resolve("db-password");
        Files.writeString(secretFile, password + "\n");
        Credentials credentials = Credentials.in(dir);
        AgentConfig config = AgentConfig.builder().name(AGENT).environment(Environment.DEVELOPMENT)
                .database("main", d -> d.url(db.jdbcUrl()).user(ROLE)
                        .set("password", "file:" + secretFile)
                        .set("currentSchema", "rot")
                        .set("pool.maxTotal", 4)
                        .set("pool.minIdle", 1)
                        .set("pool.maxWaitMillis", 30_000))
                .set("dbagent.jmx.remote.enabled", true)
                .set("dbagent.jmx.remote.port", 0)
                .set("dbagent.jmx.remote.auth", true)
                .set("dbagent.jmx.remote.passwordFile", credentials.passwordFile.toString())
                .set("dbagent.jmx.remote.accessFile", credentials.accessFile.toString())
                .build();
        agent = DatabaseAgent.builder(config).start();
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    // ---------------------------------------------------------------- resize

    @Test
    @Order(1)
    void resizeGrowsServingWaitingBorrowersAndShrinksWithoutClosingConnectionsInUse() throws Exception {
        DataSource primary = agent.dataSource("main", Intent.WRITE);
        try (JMXConnector c = operator()) {
            PoolMXBean pool = proxy(c);
            assertThat(pool.resize(2, 0, 30_000)).isEqualTo("maxTotal 4 -> 2, minIdle 1 -> 0, maxWait 30000 ms (unchanged)");
            assertThat(pool.getMaxTotal()).isEqualTo(2);
            assertThat(pool.getTotal()).isLessThanOrEqualTo(2); // idle connections above the new maximum are closed

            List<Connection> held = new ArrayList<>();
            held.add(primary.getConnection());
            held.add(primary.getConnection());
            ExecutorService pool3 = Executors.newSingleThreadExecutor();
            try {
                CompletableFuture<Connection> third = CompletableFuture.supplyAsync(() -> {
                    try {
                        return primary.getConnection();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, pool3);
                await().atMost(Duration.ofSeconds(20)).until(() -> pool.getWaiting() >= 1);

                assertThat(pool.resize(3, 0, 30_000)).startsWith("maxTotal 2 -> 3");
                held.add(third.get(25, TimeUnit.SECONDS)); // served by the larger pool, not exhausted
                assertThat(pool.getActive()).isEqualTo(3);

                // shrinking leaves the three borrowed connections working
                assertThat(pool.resize(1, 0, 30_000)).startsWith("maxTotal 3 -> 1");
                for (Connection held1 : held) {
                    assertThat(selectOne(held1)).isEqualTo(1);
                }
                for (Connection h : held) {
                    h.close();
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> pool.getTotal() <= 1);
                assertThat(serverSessions()).isLessThanOrEqualTo(1);
            } finally {
                pool3.shutdownNow();
            }
            assertThat(pool.resize(4, 1, 30_000)).isEqualTo("maxTotal 1 -> 4, minIdle 0 -> 1, maxWait 30000 ms (unchanged)");
        }
    }

    @Test
    @Order(2)
    void resizeOutOfBoundsNamesEveryBadValueAndChangesNothing() throws Exception {
        try (JMXConnector c = operator()) {
            PoolMXBean pool = proxy(c);
            assertThatThrownBy(() -> pool.resize(0, 5, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("pool main/primary not resized: maxTotal must be between 1 and 1000, but was 0;"
                            + " minIdle must be between 0 and maxTotal (0), but was 5;"
                            + " maxWaitMillis must be between 1 and 600000, but was 0");
            assertThatThrownBy(() -> pool.resize(1001, 0, 700_000)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("but was 1001").hasMessageContaining("but was 700000");
            assertThat(pool.getMaxTotal()).isEqualTo(4);
            assertThat(pool.getMinIdle()).isEqualTo(1);
            assertThat(pool.getMaxWaitMillis()).isEqualTo(30_000);
        }
        assertThat(auditRows("pool-resize", "REFUSED")).isEqualTo(2);
    }

    @Test
    @Order(3)
    void monitorCannotChangeThePool() throws Exception {
        long before = auditRows("pool-resize", null) + auditRows("pool-soft-evict", null);
        try (JMXConnector c = JMXConnectorFactory.connect(agent.jmxServiceUrl().orElseThrow(),
                Map.of(JMXConnector.CREDENTIALS, new String[] {"monitor", Credentials.MONITOR_PASSWORD}))) {
            PoolMXBean pool = proxy(c);
            assertThat(pool.getPasswordSource()).isEqualTo("file:" + secretFile);
            assertThatThrownBy(() -> pool.resize(10, 0, 1000)).isInstanceOf(SecurityException.class)
                    .hasMessageContaining("needs the operator role");
            assertThatThrownBy(pool::softEvictConnections).isInstanceOf(SecurityException.class);
            assertThatThrownBy(pool::rotateCredentials).isInstanceOf(SecurityException.class);
            assertThat(pool.getMaxTotal()).isEqualTo(4);
        }
        assertThat(auditRows("pool-resize", null) + auditRows("pool-soft-evict", null)).isEqualTo(before);
    }

    // ---------------------------------------------------------------- soft eviction

    @Test
    @Order(4)
    void softEvictionClosesIdleConnectionsNowAndBorrowedOnesWhenReturned() throws Exception {
        DataSource primary = agent.dataSource("main", Intent.WRITE);
        Connection idle = primary.getConnection();
        Connection inUse = primary.getConnection();
        int idlePid = pid(idle);
        int inUsePid = pid(inUse);
        idle.close();
        assertThat(inUsePid).isNotEqualTo(idlePid);
        List<Notification> received = new CopyOnWriteArrayList<>();
        try (JMXConnector c = operator()) {
            MBeanServerConnection m = c.getMBeanServerConnection();
            m.addNotificationListener(POOL, (n, handback) -> received.add(n), null, null);
            PoolMXBean pool = proxy(c);
            String summary = pool.softEvictConnections();
            assertThat(summary).matches("[1-9][0-9]* idle connections? closed, [1-9][0-9]* in use closes? when returned");

            await().atMost(Duration.ofSeconds(20)).until(() -> !alive(idlePid));
            assertThat(selectOne(inUse)).isEqualTo(1); // work in flight goes on
            assertThat(alive(inUsePid)).isTrue();
            inUse.close();
            await().atMost(Duration.ofSeconds(20)).until(() -> !alive(inUsePid));
            try (Connection fresh = primary.getConnection()) {
                assertThat(pid(fresh)).isNotIn(idlePid, inUsePid);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 1);
        }
        CompositeData data = (CompositeData) received.get(0).getUserData();
        assertThat(received.get(0).getType()).isEqualTo(Notifications.POOL_CHANGED);
        assertThat(data.get("action")).isEqualTo("soft-evict");
        assertThat(data.get("caller")).isEqualTo("jmx:operator");
        assertThat(data.get("outcome")).isEqualTo("SUCCEEDED");
        assertThat(data.get("instance")).isEqualTo(agent.config().instance());
        assertThat(auditRows("pool-soft-evict", "SUCCEEDED")).isEqualTo(1);
    }

    // ---------------------------------------------------------------- credential rotation

    @Test
    @Order(5)
    void rotatedPasswordReachesNewConnectionsWithoutFailingWorkInFlight() throws Exception {
        DatabaseService service = agent.service("main");
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicLong writes = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService load = Executors.newFixedThreadPool(5);
        CountDownLatch inFlightStarted = new CountDownLatch(1);
        CountDownLatch rotated = new CountDownLatch(1);
        try {
            for (int t = 0; t < 4; t++) {
                String writer = "w" + t;
                load.submit(() -> {
                    while (running.get()) {
                        try {
                            service.write(h -> h.execute("INSERT INTO writes (writer) VALUES (?)", writer));
                            writes.incrementAndGet();
                            service.read(h -> h.createQuery("SELECT count(*) FROM writes").mapTo(Long.class).one());
                        } catch (RuntimeException e) {
                            failures.add(e);
                        }
                    }
                });
            }
            // a transaction that began with the old password and commits after the rotation
            CompletableFuture<Void> inFlight = CompletableFuture.runAsync(() -> service.write(h -> {
                h.execute("INSERT INTO writes (writer) VALUES ('in-flight-1')");
                inFlightStarted.countDown();
                try {
                    rotated.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return h.execute("INSERT INTO writes (writer) VALUES ('in-flight-2')");
            }), load);
            assertThat(inFlightStarted.await(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> writes.get() > 20);

            String next = "second-Secret-2";
            try (Connection c = superuser(); Statement st = c.createStatement()) {
                st.execute("ALTER ROLE " + ROLE + " PASSWORD '" + next + "'");
            }
            Files.writeString(secretFile, next + "\n");
            Instant rotatedAt = serverNow();
            String summary;
            try (JMXConnector c = operator()) {
                summary = proxy(c).rotateCredentials();
            }
            password = next;
            rotated.countDown();
            assertThat(summary).startsWith("password re-read from file:" + secretFile + " and accepted by a test login; ")
                    .doesNotContain(next).doesNotContain("first-Secret-1");

            long atRotation = writes.get();
            inFlight.get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> writes.get() > atRotation + 50);
            running.set(false);
            load.shutdown();
            assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

            assertThat(failures).isEmpty();
            assertThat(count("SELECT count(*) FROM rot.writes WHERE writer LIKE 'in-flight-%'")).isEqualTo(2);
            // every connection opened with the old password has been replaced by one opened with the new
            await().atMost(Duration.ofSeconds(20)).until(() -> sessionsStartedBefore(rotatedAt) == 0);
            assertThat(serverSessions()).isPositive();
            // the audit row went through an operations connection, which logs in with the new password too
            assertThat(auditRows("pool-rotate-credentials", "SUCCEEDED")).isEqualTo(1);
            assertThat(count("SELECT count(*) FROM dbagent.audit_log WHERE operation = 'pool-rotate-credentials'"
                    + " AND caller = 'jmx:operator' AND arguments LIKE '%file:%' AND arguments NOT LIKE '%Secret-%'"))
                    .isEqualTo(1);
            assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), ROLE, "first-Secret-1").close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
        } finally {
            running.set(false);
            rotated.countDown();
            load.shutdownNow();
        }
    }

    @Test
    @Order(6)
    void aPasswordTheServerRefusesIsNotTakenAndChangesNothing() throws Exception {
        DataSource primary = agent.dataSource("main", Intent.WRITE);
        Files.writeString(secretFile, "wrong-Guess-3\n");
        List<Notification> received = new CopyOnWriteArrayList<>();
        try (JMXConnector c = operator()) {
            c.getMBeanServerConnection().addNotificationListener(POOL, (n, handback) -> received.add(n), null, null);
            PoolMXBean pool = proxy(c);
            assertThatThrownBy(pool::rotateCredentials)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("rotate-credentials refused: the password read from file:" + secretFile
                            + " was not accepted (")
                    .hasMessageContaining("password authentication failed")
                    .hasMessageEndingWith("nothing changed, the pool keeps the current password")
                    .hasMessageNotContaining("wrong-Guess-3");
            // the pool still logs in with the password that works: new connections open after an eviction
            pool.softEvictConnections();
            try (Connection fresh = primary.getConnection()) {
                assertThat(selectOne(fresh)).isEqualTo(1);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 2);
        }
        CompositeData refusal = (CompositeData) received.get(0).getUserData();
        assertThat(refusal.get("action")).isEqualTo("rotate-credentials");
        assertThat(refusal.get("outcome")).isEqualTo("REFUSED");
        assertThat((String) refusal.get("summary")).doesNotContain("wrong-Guess-3");
        assertThat(auditRows("pool-rotate-credentials", "REFUSED")).isEqualTo(1);
        Files.writeString(secretFile, password + "\n");
    }

    @Test
    @Order(7)
    void rotatingToTheSamePasswordDoesNothing() throws Exception {
        Set<Integer> before = pids();
        try (JMXConnector c = operator()) {
            assertThat(proxy(c).rotateCredentials()).isEqualTo("password from file:" + secretFile + " is unchanged; nothing done");
        }
        assertThat(pids()).containsAll(before);
    }

    // ---------------------------------------------------------------- helpers

    private static JMXConnector operator() throws IOException {
        return JMXConnectorFactory.connect(agent.jmxServiceUrl().orElseThrow(),
                Map.of(JMXConnector.CREDENTIALS, new String[] {"operator", Credentials.OPERATOR_PASSWORD}));
    }

    private static PoolMXBean proxy(JMXConnector c) throws IOException {
        return JMX.newMXBeanProxy(c.getMBeanServerConnection(), POOL, PoolMXBean.class);
    }

    private static Connection superuser() throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }

    private static int selectOne(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean alive(int pid) throws SQLException {
        return count("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid) == 1;
    }

    private static String poolSessions() {
        return "FROM pg_stat_activity WHERE usename = '" + ROLE + "' AND application_name LIKE 'dbagent/" + AGENT
                + "/%/main/primary'";
    }

    private static long serverSessions() throws SQLException {
        return count("SELECT count(*) " + poolSessions());
    }

    private static Set<Integer> pids() throws SQLException {
        Set<Integer> out = new HashSet<>();
        try (Connection c = superuser(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pid " + poolSessions())) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }

    private static long sessionsStartedBefore(Instant at) throws SQLException {
        try (Connection c = superuser();
             var ps = c.prepareStatement("SELECT count(*) " + poolSessions() + " AND backend_start < ?")) {
            ps.setTimestamp(1, Timestamp.from(at));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Instant serverNow() throws SQLException {
        try (Connection c = superuser(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT now()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    private static long auditRows(String operation, String result) throws SQLException {
        return count("SELECT count(*) FROM dbagent.audit_log WHERE operation = '" + operation + "'"
                + (result == null ? "" : " AND result = '" + result + "'"));
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = superuser(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
