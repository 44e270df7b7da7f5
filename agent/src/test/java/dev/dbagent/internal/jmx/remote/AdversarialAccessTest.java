package dev.dbagent.internal.jmx.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.dbagent.CivicCatalogue;
import dev.dbagent.DatabaseAgent;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.internal.jmx.access.AccessPolicy;
import dev.dbagent.internal.jmx.access.Role;
import dev.dbagent.mbeans.ObjectNames;
import dev.dbagent.testing.MutableClock;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.Query;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;

import org.jolokia.json.parser.JSONParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an attacker with the monitor password, the operator password or no password can do to a
 * running agent (development environment, so reset is enabled) through the real RMI connector
 * and the real Jolokia bridge: each forbidden request is refused, and its effect is absent — no
 * file written, no schema dropped, no breaker opened, no audit row, no JVM setting changed.
 */
@ExtendWith(PostgresExtension.class)
class AdversarialAccessTest {

    private static final String AGENT = "adv";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final ObjectName HOTSPOT = name("com.sun.management:type=HotSpotDiagnostic");
    private static final ObjectName DIAGNOSTIC = name("com.sun.management:type=DiagnosticCommand");
    private static final ObjectName RUNTIME = name("java.lang:type=Runtime");
    private static final ObjectName MEMORY = name("java.lang:type=Memory");
    private static final ObjectName LOGGING = name("java.util.logging:type=Logging");
    private static final ObjectName OPERATIONS = ObjectNames.operations(AGENT, "main");
    private static final ObjectName BREAKER = ObjectNames.serviceBreaker(AGENT, "main");
    private static final ObjectName POOL = ObjectNames.pool(AGENT, "main", "primary");
    private static final ObjectName HEALTH = ObjectNames.health(AGENT);
    private static final String UNKNOWN_TOKEN = "reset refused: unknown or already used reset token (or one"
            + " superseded by a newer prepareReset); call prepareReset and use its latest token once";
    private static final ObjectName UNDECIDED = name("dev.dbagent:type=Undecided,agent=" + AGENT);

    @TempDir
    static Path dir;

    private static TestDatabase db;
    private static DatabaseAgent agent;
    private static MutableClock clock;
    private static MBeanServer platform;
    private static TestBeans.Undecided undecided;

    @BeforeAll
    static void start(TestDatabase database) throws Exception {
        db = database;
        Credentials credentials = Credentials.in(dir);
        clock = new MutableClock();
        platform = ManagementFactory.getPlatformMBeanServer();
        AgentConfig config = AgentConfig.builder().name(AGENT).environment(Environment.DEVELOPMENT)
                .database("main", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password()))
                        .set("currentSchema", "civic").migrateOnStart(true))
                .set("dbagent.ops.resetEnabled", true)
                .set("dbagent.ops.resetTokenTtlSeconds", 60)
                .set("dbagent.jmx.remote.enabled", true)
                .set("dbagent.jmx.remote.port", 0)
                .set("dbagent.jmx.remote.auth", true)
                .set("dbagent.jmx.remote.passwordFile", credentials.passwordFile.toString())
                .set("dbagent.jmx.remote.accessFile", credentials.accessFile.toString())
                .set("dbagent.jolokia.enabled", true)
                .set("dbagent.jolokia.port", 0)
                .set("dbagent.jolokia.auth", true)
                .set("dbagent.jolokia.policyFile", Credentials.policy().toString())
                .set("dbagent.jolokia.threads", 4)
                .set("dbagent.jolokia.maxBodyBytes", 65_536)
                .build();
        agent = DatabaseAgent.builder(config).catalogue("main", CivicCatalogue.catalogue()).clock(clock)
                .mbeanServer(platform).start();
        // a bean someone added under dev.dbagent without deciding its operation's impact
        undecided = new TestBeans.Undecided();
        platform.registerMBean(undecided, UNDECIDED);
    }

    @AfterAll
    static void stop() throws Exception {
        if (platform != null && platform.isRegistered(UNDECIDED)) {
            platform.unregisterMBean(UNDECIDED);
        }
        if (agent != null) {
            agent.close();
        }
    }

    // ---------------------------------------------------------------- the decision itself

    @Test
    void everyDbagentOperationIsOpenToMonitorExactlyWhenItChangesNothing() throws Exception {
        List<String> monitorMay = new ArrayList<>();
        List<String> operatorOnly = new ArrayList<>();
        for (ObjectName name : platform.queryNames(ObjectNames.allOfAgent(AGENT), null)) {
            if (name.equals(UNDECIDED)) {
                continue;
            }
            var info = platform.getMBeanInfo(name);
            for (MBeanOperationInfo op : info.getOperations()) {
                String[] signature = Arrays.stream(op.getSignature()).map(p -> p.getType()).toArray(String[]::new);
                boolean monitor = AccessPolicy.get().invoke(Role.MONITOR, name, op.getName(), signature, info).allowed();
                boolean operator = AccessPolicy.get().invoke(Role.OPERATOR, name, op.getName(), signature, info)
                        .allowed();
                assertThat(op.getImpact()).as(name + " " + op.getName())
                        .isIn(MBeanOperationInfo.INFO, MBeanOperationInfo.ACTION);
                assertThat(operator).as("operator " + op.getName()).isTrue();
                assertThat(monitor).as("monitor " + op.getName()).isEqualTo(op.getImpact() == MBeanOperationInfo.INFO);
                (monitor ? monitorMay : operatorOnly).add(name.getKeyProperty("type") + "." + op.getName());
            }
        }
        assertThat(monitorMay).contains("Operations.status", "Operations.health", "Operations.verify",
                "Pool.listBorrowers", "Pool.listBorrowersText", "Health.runNow");
        assertThat(operatorOnly).contains("Operations.migrate", "Operations.init", "Operations.prepareReset",
                "Operations.reset", "Operations.releaseLock", "Operations.prepareRollback", "Operations.rollback",
                "Operations.rollbackToTag", "Operations.changelogSync", "Operations.repairChecksums",
                "CircuitBreaker.forceOpen", "Pool.evictIdleConnections", "Pool.resize", "Pool.softEvictConnections",
                "Pool.rotateCredentials");
        assertThat(monitorMay).contains("Operations.preview");
        var undecidedInfo = platform.getMBeanInfo(UNDECIDED);
        assertThat(AccessPolicy.get().invoke(Role.OPERATOR, UNDECIDED, "purge", new String[0], undecidedInfo).reason())
                .isEqualTo("access denied: purge on " + UNDECIDED
                        + " has no impact decision (INFO or ACTION) and is refused to every caller");
    }

    // ---------------------------------------------------------------- RMI

    private static JMXConnector rmi(String user, String password) throws IOException {
        return JMXConnectorFactory.connect(agent.jmxServiceUrl().orElseThrow(),
                Map.of(JMXConnector.CREDENTIALS, new String[] {user, password}));
    }

    private static JMXConnector rmi(Role role) throws IOException {
        return role == Role.MONITOR ? rmi("monitor", Credentials.MONITOR_PASSWORD)
                : rmi("operator", Credentials.OPERATOR_PASSWORD);
    }

    @Test
    void rmiWithoutOrWithWrongCredentialsCannotConnect() {
        assertThatThrownBy(() -> JMXConnectorFactory.connect(agent.jmxServiceUrl().orElseThrow()))
                .isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> rmi("operator", Credentials.MONITOR_PASSWORD))
                .isInstanceOf(SecurityException.class).hasMessage("Authentication failed");
        assertThatThrownBy(() -> rmi("root", "root")).isInstanceOf(SecurityException.class);
    }

    @Test
    void rmiMonitorReadsAndChecksButChangesNothing() throws Exception {
        long auditBefore = monitorChangingAuditRows();
        int tablesBefore = civicTables();
        try (JMXConnector c = rmi(Role.MONITOR)) {
            MBeanServerConnection m = c.getMBeanServerConnection();
            assertThat(m.getAttribute(BREAKER, "State")).isEqualTo("CLOSED");
            assertThat(((CompositeData) m.invoke(OPERATIONS, "status", null, null)).get("operation")).isEqualTo("status");
            assertThat(((CompositeData) m.invoke(OPERATIONS, "health", null, null)).get("operation")).isEqualTo("health");
            assertThat(((CompositeData) m.invoke(OPERATIONS, "verify", null, null)).get("success")).isEqualTo(true);
            assertThat(m.invoke(POOL, "listBorrowersText", null, null)).isNotNull();

            for (String op : List.of("migrate", "init", "prepareReset")) {
                assertThatThrownBy(() -> m.invoke(OPERATIONS, op, null, null)).as(op)
                        .isInstanceOf(SecurityException.class).hasMessageContaining("needs the operator role");
            }
            assertThatThrownBy(() -> m.invoke(OPERATIONS, "reset", new Object[] {"guess"},
                    new String[] {String.class.getName()})).isInstanceOf(SecurityException.class);
            assertThatThrownBy(() -> m.invoke(OPERATIONS, "releaseLock", new Object[] {true},
                    new String[] {"boolean"})).isInstanceOf(SecurityException.class);
            assertThatThrownBy(() -> m.invoke(BREAKER, "forceOpen", null, null)).isInstanceOf(SecurityException.class);
            assertThatThrownBy(() -> m.invoke(POOL, "evictIdleConnections", null, null))
                    .isInstanceOf(SecurityException.class);
        }
        assertThat(platform.getAttribute(BREAKER, "State")).isEqualTo("CLOSED");
        assertThat(monitorChangingAuditRows()).isEqualTo(auditBefore).isZero();
        assertThat(civicTables()).isEqualTo(tablesBefore).isPositive();
    }

    @Test
    void rmiMonitorReceivesTheAgentsNotifications() throws Exception {
        List<javax.management.Notification> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (JMXConnector c = rmi(Role.MONITOR)) {
            MBeanServerConnection m = c.getMBeanServerConnection();
            m.addNotificationListener(OPERATIONS, (n, handback) -> received.add(n), null, null);
            m.invoke(OPERATIONS, "status", null, null);

            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> received.stream().anyMatch(n -> n.getType().equals("dev.dbagent.ops.completed")));
        }
        assertThat(received).extracting(javax.management.Notification::getSource).contains(OPERATIONS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MONITOR", "OPERATOR"})
    void rmiReachesNoJvmInternals(String roleName) throws Exception {
        Role role = Role.valueOf(roleName);
        Path dump = dir.resolve("stolen-" + role.key() + ".hprof");
        Path jfr = dir.resolve("stolen-" + role.key() + ".jfr");
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String heapDumpOnOom = hotspot.getVMOption("HeapDumpOnOutOfMemoryError").getValue();
        Level rootLevel = Logger.getLogger("").getLevel();
        boolean verbose = ManagementFactory.getMemoryMXBean().isVerbose();
        ObjectName mlet = name("attacker:type=MLet");

        try (JMXConnector c = rmi(role)) {
            MBeanServerConnection m = c.getMBeanServerConnection();
            List<ThrowingCall> calls = List.of(
                    () -> m.invoke(HOTSPOT, "dumpHeap", new Object[] {dump.toString(), true},
                            new String[] {String.class.getName(), "boolean"}),
                    () -> m.invoke(HOTSPOT, "setVMOption", new Object[] {"HeapDumpOnOutOfMemoryError", "true"},
                            new String[] {String.class.getName(), String.class.getName()}),
                    () -> m.invoke(DIAGNOSTIC, "jvmtiAgentLoad", new Object[] {new String[] {"/tmp/evil.so"}},
                            new String[] {String[].class.getName()}),
                    () -> m.invoke(DIAGNOSTIC, "jfrStart", new Object[] {new String[] {"filename=" + jfr}},
                            new String[] {String[].class.getName()}),
                    () -> m.invoke(LOGGING, "setLoggerLevel", new Object[] {"", "FINEST"},
                            new String[] {String.class.getName(), String.class.getName()}),
                    () -> m.invoke(MEMORY, "gc", null, null),
                    () -> m.setAttribute(MEMORY, new Attribute("Verbose", true)),
                    () -> m.setAttributes(MEMORY, new AttributeList(List.of(new Attribute("Verbose", true)))),
                    () -> m.getAttribute(RUNTIME, "SystemProperties"),
                    () -> m.getAttribute(RUNTIME, "InputArguments"),
                    () -> m.getAttribute(RUNTIME, "ClassPath"),
                    () -> m.createMBean("javax.management.loading.MLet", mlet),
                    () -> m.unregisterMBean(OPERATIONS),
                    () -> m.invoke(UNDECIDED, "purge", null, null),
                    () -> m.addNotificationListener(OPERATIONS, HEALTH, null, null));
            for (int i = 0; i < calls.size(); i++) {
                ThrowingCall call = calls.get(i);
                assertThatThrownBy(call::run).as("call #" + i).isInstanceOf(SecurityException.class)
                        .hasMessageStartingWith("access denied");
            }
            // a bulk read returns only what the role may read
            AttributeList runtime = m.getAttributes(RUNTIME, new String[] {"Uptime", "SystemProperties", "InputArguments"});
            assertThat(runtime.asList()).extracting(Attribute::getName).containsExactly("Uptime");
            assertThat(m.getAttribute(MEMORY, "HeapMemoryUsage")).isInstanceOf(CompositeData.class);
            assertThat(m.queryNames(ObjectNames.allOfAgent(AGENT), null)).contains(OPERATIONS, BREAKER);
            // a query expression reads attributes only as the role may: no oracle for ClassPath
            String classPath = ManagementFactory.getRuntimeMXBean().getClassPath();
            String probe = "*" + classPath.substring(0, Math.min(8, classPath.length())) + "*";
            assertThat(m.queryNames(RUNTIME, Query.match(Query.attr("ClassPath"), Query.value(probe)))).isEmpty();
            assertThat(m.queryNames(RUNTIME, Query.match(Query.attr("VmName"), Query.value("*")))).containsExactly(RUNTIME);
            assertThat(m.queryNames(ObjectNames.allOfAgent(AGENT), Query.eq(Query.attr("State"), Query.value("CLOSED"))))
                    .contains(BREAKER);
        }
        assertThat(dump).doesNotExist();
        assertThat(jfr).doesNotExist();
        assertThat(hotspot.getVMOption("HeapDumpOnOutOfMemoryError").getValue()).isEqualTo(heapDumpOnOom);
        assertThat(Logger.getLogger("").getLevel()).isEqualTo(rootLevel);
        assertThat(ManagementFactory.getMemoryMXBean().isVerbose()).isEqualTo(verbose);
        assertThat(platform.isRegistered(mlet)).isFalse();
        assertThat(platform.isRegistered(OPERATIONS)).isTrue();
        assertThat(undecided.getPurges()).isZero();
    }

    @Test
    void rmiOperatorRunsChangingOperationsAndANewResetTokenVoidsTheOlder() throws Exception {
        try (JMXConnector c = rmi(Role.OPERATOR)) {
            MBeanServerConnection m = c.getMBeanServerConnection();
            assertThat(m.invoke(BREAKER, "forceOpen", null, null)).isEqualTo("CLOSED -> FORCED_OPEN");
            assertThat(m.invoke(BREAKER, "reset", null, null)).isEqualTo("FORCED_OPEN -> CLOSED");
            insertMarker();

            String older = (String) m.invoke(OPERATIONS, "prepareReset", null, null);
            String newer = (String) m.invoke(OPERATIONS, "prepareReset", null, null);
            String[] sig = {String.class.getName()};
            assertThatThrownBy(() -> m.invoke(OPERATIONS, "reset", new Object[] {older}, sig))
                    .hasRootCauseMessage(UNKNOWN_TOKEN);
            assertThat(markerPresent()).as("the older token dropped nothing").isTrue();

            CompositeData reset = (CompositeData) m.invoke(OPERATIONS, "reset", new Object[] {newer}, sig);
            assertThat(reset.get("success")).isEqualTo(true);
            assertThat(markerPresent()).as("the reset re-created the schema").isFalse();
            insertMarker();
            assertThatThrownBy(() -> m.invoke(OPERATIONS, "reset", new Object[] {newer}, sig))
                    .hasRootCauseMessage(UNKNOWN_TOKEN);

            String expiring = (String) m.invoke(OPERATIONS, "prepareReset", null, null);
            clock.advance(Duration.ofSeconds(61));
            assertThatThrownBy(() -> m.invoke(OPERATIONS, "reset", new Object[] {expiring}, sig))
                    .rootCause().hasMessageStartingWith("reset refused: the reset token expired at");
            assertThat(markerPresent()).as("single-use and expired tokens dropped nothing").isTrue();
        }
    }

    // ---------------------------------------------------------------- Jolokia

    private static String basic(Role role) {
        String pair = role == Role.MONITOR ? "monitor:" + Credentials.MONITOR_PASSWORD
                : "operator:" + Credentials.OPERATOR_PASSWORD;
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(Role role, String pathAndQuery) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(agent.jolokiaUrl().orElseThrow() + pathAndQuery));
        if (role != null) {
            b.header("Authorization", basic(role));
        }
        return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(Role role, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(agent.jolokiaUrl().orElseThrow())
                .header("Content-Type", "application/json");
        if (role != null) {
            b.header("Authorization", basic(role));
        }
        return HTTP.send(b.POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Object json(HttpResponse<String> response) throws Exception {
        return new JSONParser().parse(response.body());
    }

    @SuppressWarnings("unchecked")
    private static long status(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return (Long) ((Map<String, Object>) json(response)).get("status");
    }

    private static String exec(ObjectName mbean, String operation) {
        return "{\"type\":\"exec\",\"mbean\":\"" + mbean + "\",\"operation\":\"" + operation + "\"}";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void jolokiaWithoutCredentialsGets401AndRunsNothing() throws Exception {
        long auditBefore = auditRows();
        assertThat(get(null, "exec/" + BREAKER + "/forceOpen").statusCode()).isEqualTo(401);
        assertThat(get(null, "?p=" + enc("/exec/" + OPERATIONS + "/migrate")).statusCode()).isEqualTo(401);
        assertThat(post(null, exec(OPERATIONS, "prepareReset")).statusCode()).isEqualTo(401);
        assertThat(post(null, "[" + exec(BREAKER, "forceOpen") + "]").statusCode()).isEqualTo(401);

        assertThat(platform.getAttribute(BREAKER, "State")).isEqualTo("CLOSED");
        assertThat(auditRows()).isEqualTo(auditBefore);
    }

    @Test
    void jolokiaMonitorCannotChangeAnythingWhateverTheRequestForm() throws Exception {
        long auditBefore = monitorChangingAuditRows();
        int tablesBefore = civicTables();
        String read = "/read/" + HEALTH + "/Status";
        String open = "/exec/" + BREAKER + "/forceOpen";
        String migrate = "/exec/" + OPERATIONS + "/migrate";
        List<String> gets = List.of(
                "exec/" + BREAKER + "/forceOpen",
                "EXEC/" + BREAKER + "/forceOpen",
                "Exec/" + BREAKER + "/forceOpen",
                "exec/" + OPERATIONS + "/prepareReset",
                "?p=" + enc(open),
                "?p=" + enc(read) + "&p=" + enc(open),
                "?p=" + enc(open) + "&p=" + enc(read),
                "?p=" + enc(read) + "&p=" + enc(migrate),
                "?p=" + enc(migrate) + "&p=" + enc(read),
                "read/" + HEALTH + "/Status?p=" + enc(open),
                "?%70=" + enc(open),
                "?p=" + enc(open).replace("%2F", "%252F"),
                "?p=" + enc(read) + "&P=" + enc(open),
                "?p=" + enc(read) + "&p%00=" + enc(open));
        for (String get : gets) {
            HttpResponse<String> response = get(Role.MONITOR, get);
            assertThat(response.body()).as(get).doesNotContain("FORCED_OPEN").doesNotContain("changesets applied");
        }
        List<String> posts = List.of(
                exec(BREAKER, "forceOpen"),
                exec(BREAKER, "forceOpen").replace("\"exec\"", "\"EXEC\""),
                exec(BREAKER, "forceOpen").replace("\"exec\"", "\"eXeC\""),
                exec(OPERATIONS, "migrate"),
                exec(OPERATIONS, "init"),
                exec(OPERATIONS, "prepareReset"),
                "{\"type\":\"exec\",\"mbean\":\"" + OPERATIONS + "\",\"operation\":\"reset(java.lang.String)\","
                        + "\"arguments\":[\"guess\"]}",
                "{\"type\":\"exec\",\"mbean\":\"" + OPERATIONS + "\",\"operation\":\"releaseLock\",\"arguments\":[true]}",
                exec(POOL, "evictIdleConnections"),
                "{\"type\":\"write\",\"mbean\":\"" + MEMORY + "\",\"attribute\":\"Verbose\",\"value\":true}");
        for (String body : posts) {
            HttpResponse<String> response = post(Role.MONITOR, body);
            assertThat(response.body()).as(body).doesNotContain("FORCED_OPEN").doesNotContain("changesets applied");
            if (response.statusCode() == 200) {
                assertThat(status(response)).as(body).isIn(400L, 403L);
            }
        }

        assertThat(platform.getAttribute(BREAKER, "State")).isEqualTo("CLOSED");
        assertThat(monitorChangingAuditRows()).isEqualTo(auditBefore).isZero();
        assertThat(civicTables()).isEqualTo(tablesBefore).isPositive();
    }

    @Test
    @SuppressWarnings("unchecked")
    void jolokiaMonitorRunsTheChecksThatChangeNothing() throws Exception {
        for (String op : List.of("status", "health", "verify")) {
            HttpResponse<String> response = post(Role.MONITOR, exec(OPERATIONS, op));
            assertThat(status(response)).as(op + ": " + response.body()).isEqualTo(200L);
            assertThat((Map<String, Object>) ((Map<String, Object>) json(response)).get("value"))
                    .containsEntry("operation", op);
        }
        assertThat(status(get(Role.MONITOR, "exec/" + POOL + "/listBorrowersText"))).isEqualTo(200L);
        assertThat(status(get(Role.MONITOR, "read/" + POOL + "/MaxTotal"))).isEqualTo(200L);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jolokiaBulkRequestsAreDecidedPartByPart() throws Exception {
        String bulk = "[{\"type\":\"read\",\"mbean\":\"" + HEALTH + "\",\"attribute\":\"Status\"},"
                + exec(BREAKER, "forceOpen") + "," + exec(OPERATIONS, "health") + ","
                + exec(BREAKER, "forceOpen").replace("\"exec\"", "\"EXEC\"") + ","
                + "{\"type\":\"read\",\"mbean\":\"" + RUNTIME + "\",\"attribute\":\"SystemProperties\"}]";

        HttpResponse<String> response = post(Role.MONITOR, bulk);

        assertThat(response.statusCode()).isEqualTo(200);
        List<Map<String, Object>> parts = (List<Map<String, Object>>) json(response);
        assertThat(parts).hasSize(5);
        assertThat(parts.get(0)).containsEntry("status", 200L);
        assertThat(parts.get(1)).containsEntry("status", 403L);
        assertThat(parts.get(2)).containsEntry("status", 200L);
        assertThat((Long) parts.get(3).get("status")).isIn(400L, 403L);
        assertThat(parts.get(4)).containsEntry("status", 403L);
        assertThat(platform.getAttribute(BREAKER, "State")).isEqualTo("CLOSED");
    }

    @ParameterizedTest
    @ValueSource(strings = {"MONITOR", "OPERATOR"})
    void jolokiaReachesNoJvmInternals(String roleName) throws Exception {
        Role role = Role.valueOf(roleName);
        Path dump = dir.resolve("jolokia-" + role.key() + ".hprof");
        Level rootLevel = Logger.getLogger("").getLevel();
        List<String> bodies = List.of(
                "{\"type\":\"exec\",\"mbean\":\"" + HOTSPOT + "\",\"operation\":\"dumpHeap\",\"arguments\":[\""
                        + dump + "\",true]}",
                "{\"type\":\"exec\",\"mbean\":\"" + HOTSPOT + "\",\"operation\":\"setVMOption\","
                        + "\"arguments\":[\"HeapDumpOnOutOfMemoryError\",\"true\"]}",
                "{\"type\":\"exec\",\"mbean\":\"" + DIAGNOSTIC + "\",\"operation\":\"jvmtiAgentLoad\",\"arguments\":[[\"/tmp/e.so\"]]}",
                "{\"type\":\"exec\",\"mbean\":\"" + LOGGING + "\",\"operation\":\"setLoggerLevel\",\"arguments\":[\"\",\"FINEST\"]}",
                "{\"type\":\"exec\",\"mbean\":\"" + UNDECIDED + "\",\"operation\":\"purge\"}",
                "{\"type\":\"read\",\"mbean\":\"" + RUNTIME + "\",\"attribute\":\"SystemProperties\"}",
                "{\"type\":\"read\",\"mbean\":\"" + RUNTIME + "\",\"attribute\":\"InputArguments\"}");
        for (String body : bodies) {
            assertThat(status(post(role, body))).as(body).isEqualTo(403L);
        }
        // writes are not a served request type at all
        for (String type : List.of("write", "WRITE")) {
            assertThat(post(role, "{\"type\":\"" + type + "\",\"mbean\":\"" + MEMORY
                    + "\",\"attribute\":\"Verbose\",\"value\":true}").statusCode()).isEqualTo(403);
        }
        assertThat(get(role, "write/" + MEMORY + "/Verbose/true").statusCode()).isEqualTo(403);
        HttpResponse<String> allOfRuntime = get(role, "read/" + RUNTIME);
        assertThat(allOfRuntime.body()).doesNotContain("java.class.path").doesNotContain("-Xm");

        assertThat(dump).doesNotExist();
        assertThat(Logger.getLogger("").getLevel()).isEqualTo(rootLevel);
        assertThat(undecided.getPurges()).isZero();
        assertThat(ManagementFactory.getMemoryMXBean().isVerbose()).isFalse();
    }

    @Test
    void jolokiaHasNoProxyModeAndNoNotificationsForAnyone() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            String proxy = "{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"HeapMemoryUsage\","
                    + "\"target\":{\"url\":\"service:jmx:rmi:///jndi/rmi://127.0.0.1:" + listener.getLocalPort()
                    + "/jmxrmi\"}}";
            for (Role role : Role.values()) {
                HttpResponse<String> response = post(role, proxy);
                assertThat(response.statusCode()).as(role + " proxy").isEqualTo(403);
                assertThat(response.body()).doesNotContain("HeapMemoryUsage");
                HttpResponse<String> inBulk = post(role, "[{\"type\":\"version\"}," + proxy + "]");
                assertThat(inBulk.statusCode()).as(role + " proxy in a bulk").isEqualTo(403);
                for (String type : List.of("notification", "NOTIFICATION", "Notification")) {
                    HttpResponse<String> register = post(role, "{\"type\":\"" + type + "\",\"command\":\"register\"}");
                    assertThat(register.statusCode()).as(role + " " + type).isEqualTo(403);
                    assertThat(register.body()).doesNotContain("\"id\"");
                }
                for (String path : List.of("notification/register", "NOTIFICATION/register",
                        "?p=" + enc("/notification/register"), "?p=" + enc("/read/" + HEALTH + "/Status")
                                + "&p=" + enc("/notification/register"))) {
                    HttpResponse<String> register = get(role, path);
                    assertThat(register.statusCode()).as(role + " " + path).isEqualTo(403);
                }
            }
            // the answers above came back after any connection the proxy would have made: none is queued
            listener.setSoTimeout(200);
            assertThatThrownBy(listener::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void jolokiaServesNoJsonp() throws Exception {
        for (String query : List.of("?callback=steal", "?CALLBACK=steal", "?call%62ack=steal", "?x=1&callback=steal")) {
            HttpResponse<String> response = get(Role.OPERATOR, "read/" + HEALTH + "/Status" + query);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(response.body()).doesNotContain("steal(");
        }
    }

    @Test
    void jolokiaRefusesOversizedBodiesBeforeReadingThem() throws Exception {
        String tenMegabytes = "[" + "{\"type\":\"version\"},".repeat(10 * 1024 * 1024 / 19) + "{\"type\":\"version\"}]";
        HttpResponse<String> declared = post(Role.OPERATOR, tenMegabytes);
        HttpResponse<String> chunked = HTTP.send(HttpRequest.newBuilder(agent.jolokiaUrl().orElseThrow())
                .header("Authorization", basic(Role.OPERATOR))
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(tenMegabytes.getBytes(StandardCharsets.UTF_8))))
                .build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> unauthenticated = post(null, tenMegabytes);

        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(unauthenticated.statusCode()).isEqualTo(401);
        assertThat(status(post(Role.OPERATOR, "{\"type\":\"version\"}"))).isEqualTo(200L);
    }

    @Test
    void slowClientsDoNotStallTheBridge() throws Exception {
        // 3 connections that never finish their headers hold 3 of the 4 serving threads
        List<Socket> slow = new ArrayList<>();
        try {
            URI url = agent.jolokiaUrl().orElseThrow();
            for (int i = 0; i < 3; i++) {
                Socket s = new Socket(url.getHost(), url.getPort());
                OutputStream out = s.getOutputStream();
                out.write(("GET /jolokia/version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                slow.add(s);
            }
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url + "read/" + HEALTH + "/Status"))
                    .header("Authorization", basic(Role.MONITOR)).timeout(Duration.ofSeconds(20)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(status(response)).isEqualTo(200L);
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    // ---------------------------------------------------------------- effects

    /** Changing operations audited for a monitor caller: must stay zero. */
    private static long monitorChangingAuditRows() throws Exception {
        return count("SELECT count(*) FROM dbagent.audit_log WHERE caller IN ('jmx:monitor', 'jolokia:monitor')"
                + " AND operation NOT IN ('status', 'health', 'verify', 'validate', 'drift', 'profile', 'preview')");
    }

    private static long auditRows() throws Exception {
        return count("SELECT count(*) FROM dbagent.audit_log");
    }

    private static int civicTables() throws Exception {
        return (int) count("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'civic'");
    }

    private static void insertMarker() throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS civic.adversary_marker (id int)");
        }
    }

    private static boolean markerPresent() throws Exception {
        return count("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'civic'"
                + " AND table_name = 'adversary_marker'") == 1;
    }

    private static long count(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql);
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    private static ObjectName name(String s) {
        try {
            return new ObjectName(s);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
