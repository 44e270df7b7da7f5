package dev.dbagent.internal.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.dbagent.BreakerOpenException;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.health.CheckResult;
import dev.dbagent.health.HealthChecks;
import dev.dbagent.health.HealthMonitor;
import dev.dbagent.health.Issue;
import dev.dbagent.mbeans.AgentMXBean;
import dev.dbagent.mbeans.BorrowerInfo;
import dev.dbagent.mbeans.CircuitBreakerMXBean;
import dev.dbagent.mbeans.HealthMXBean;
import dev.dbagent.mbeans.HealthReportInfo;
import dev.dbagent.mbeans.Notifications;
import dev.dbagent.mbeans.ObjectNames;
import dev.dbagent.mbeans.OperationResultInfo;
import dev.dbagent.mbeans.OperationsMXBean;
import dev.dbagent.mbeans.PoolMXBean;
import dev.dbagent.mbeans.ServiceMXBean;
import dev.dbagent.ops.Operations;
import dev.dbagent.internal.pool.ConnectionManager;
import dev.dbagent.internal.pool.ManagedPool;
import dev.dbagent.service.DatabaseService;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.lang.reflect.Array;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.management.JMX;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXPrincipal;
import javax.management.remote.JMXServiceURL;
import javax.security.auth.Subject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The registered beans over a real RMI connector, on real pools, a real service and real
 * operations against the test PostgreSQL.
 */
@ExtendWith(PostgresExtension.class)
class AgentManagementTest {
    private static final String AGENT = "mgmt";
    private static final String CHANGELOG = "dev/dbagent/ops/simple/master.xml";

    private final Clock clock = Clock.systemUTC();
    private final MetricRegistry metrics = new MetricRegistry();
    private final List<Notification> received = new CopyOnWriteArrayList<>();
    private final NotificationListener collect = (n, handback) -> received.add(n);
    private final AtomicReference<CheckResult> checkResult = new AtomicReference<>(CheckResult.up("fine"));

    private MBeanServer server;
    private JMXConnectorServer connectorServer;
    private JMXConnector connector;
    private MBeanServerConnection remote;
    private ConnectionManager connections;
    private DatabaseService service;
    private HealthMonitor health;
    private Operations operations;
    private AgentManagement management;
    private TestDatabase db;

    @BeforeEach
    void setUp(TestDatabase db) throws Exception {
        this.db = db;
        server = MBeanServerFactory.newMBeanServer();
        // no RMI registry: the client reaches the server through the stub encoded in the address
        connectorServer = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi://127.0.0.1"), null, server);
        connectorServer.start();
        connector = JMXConnectorFactory.connect(connectorServer.getAddress());
        remote = connector.getMBeanServerConnection();

        DatabaseConfig config = AgentConfig.builder().name(AGENT).environment(Environment.TEST)
                .database("main", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password())))
                .build().databases().get(0);
        connections = new ConnectionManager(List.of(config), clock, "t");
        service = DatabaseService.builder(connections.router("main")).agentName(AGENT).metrics(metrics)
                .clock(clock).build();
        health = new HealthMonitor(AGENT, List.of(HealthChecks.of("main.probe", checkResult::get)), clock, null);
        operations = Operations.builder()
                .jdbcUrl(db.jdbcUrl()).user(db.user()).password(db.password())
                .targetSchema("mgmt_app").changelog(CHANGELOG)
                .environment(Environment.TEST).clock(clock)
                .build();
        management = AgentManagement.register(server, AGENT, "test", clock.instant().minusSeconds(5), clock,
                pools(), Map.of("main", service), health, Map.of("main", operations), metrics);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (management != null) {
            management.close();
        }
        if (health != null) {
            health.close();
        }
        if (service != null) {
            service.close();
        }
        if (connections != null) {
            connections.close();
        }
        if (connector != null) {
            connector.close();
        }
        if (connectorServer != null) {
            connectorServer.stop();
        }
    }

    private List<ManagedPool> pools() {
        return connections.router("main").pools();
    }

    private ManagedPool primary() {
        return connections.router("main").primary();
    }

    private static Set<ObjectName> expectedNames() {
        return Set.of(ObjectNames.agent(AGENT), ObjectNames.pool(AGENT, "main", "primary"),
                ObjectNames.poolBreaker(AGENT, "main", "primary"), ObjectNames.service(AGENT, "main"),
                ObjectNames.serviceBreaker(AGENT, "main"), ObjectNames.health(AGENT), ObjectNames.operations(AGENT, "main"));
    }

    private List<Notification> ofType(String type) {
        return received.stream().filter(n -> n.getType().equals(type)).collect(Collectors.toList());
    }

    @Test
    void registersEveryBeanOfTheContractAsAnMXBean() throws Exception {
        assertThat(Set.copyOf(management.registeredNames())).isEqualTo(expectedNames());
        assertThat(remote.queryNames(ObjectNames.allOfAgent(AGENT), null)).isEqualTo(expectedNames());
        for (Class<?> type : List.of(AgentMXBean.class, PoolMXBean.class, CircuitBreakerMXBean.class,
                ServiceMXBean.class, HealthMXBean.class, OperationsMXBean.class)) {
            assertThat(JMX.isMXBeanInterface(type)).as(type.getSimpleName()).isTrue();
        }
        for (ObjectName name : expectedNames()) {
            MBeanInfo info = remote.getMBeanInfo(name);
            assertThat(info.getDescriptor().getFieldValue("mxbean")).as(name.toString()).isEqualTo("true");
        }
        assertThat(remote.getMBeanInfo(ObjectNames.poolBreaker(AGENT, "main", "primary")).getNotifications())
                .flatExtracting(i -> List.of(i.getNotifTypes())).containsExactly(Notifications.BREAKER_STATE);
        assertThat(remote.getMBeanInfo(ObjectNames.health(AGENT)).getNotifications())
                .flatExtracting(i -> List.of(i.getNotifTypes())).containsExactly(Notifications.HEALTH_STATUS);
        assertThat(remote.getMBeanInfo(ObjectNames.operations(AGENT, "main")).getNotifications())
                .flatExtracting(i -> List.of(i.getNotifTypes()))
                .containsExactly(Notifications.OPS_COMPLETED, Notifications.OPS_PROGRESS);
    }

    @Test
    void agentAttributesOverTheRemoteConnection() {
        AgentMXBean agent = JMX.newMXBeanProxy(remote, ObjectNames.agent(AGENT), AgentMXBean.class);
        assertThat(agent.getName()).isEqualTo(AGENT);
        assertThat(agent.getEnvironment()).isEqualTo("test");
        assertThat(agent.getVersion()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(agent.getDatabases()).containsExactly("main");
        assertThat(agent.getUptimeMillis()).isGreaterThanOrEqualTo(5_000);
        assertThat(Instant.parse(agent.getStartedAt())).isBefore(clock.instant().minusSeconds(4));
    }

    @Test
    void poolShowsTheHeldConnectionAndItsBorrower() throws Exception {
        PoolMXBean pool = JMX.newMXBeanProxy(remote, ObjectNames.pool(AGENT, "main", "primary"), PoolMXBean.class);
        assertThat(pool.getDatabase()).isEqualTo("main");
        assertThat(pool.getRole()).isEqualTo("primary");
        assertThat(pool.getJdbcUrl()).isEqualTo(primary().maskedUrl()).startsWith("jdbc:postgresql://127.0.0.1:");
        assertThat(pool.getMaxTotal()).isEqualTo(primary().maxTotal()).isPositive();
        assertThat(pool.getMinIdle()).isEqualTo(primary().minIdle());
        assertThat(pool.getActive()).isZero();
        assertThat(pool.listBorrowers()).isEmpty();
        long borrowedBefore = pool.getBorrowedCount();

        try (Connection held = primary().acquire()) {
            assertThat(held.isValid(5)).isTrue();
            assertThat(pool.getActive()).isEqualTo(1);
            assertThat(pool.getTotal()).isEqualTo(pool.getActive() + pool.getIdle());
            assertThat(pool.getWaiting()).isZero();
            assertThat(pool.getBorrowedCount()).isEqualTo(borrowedBefore + 1);
            assertThat(pool.getCreatedCount()).isGreaterThanOrEqualTo(1);
            assertThat(pool.getBorrowWaitP50Millis()).isGreaterThanOrEqualTo(0.0);
            assertThat(pool.getBorrowWaitP99Millis()).isGreaterThanOrEqualTo(pool.getBorrowWaitP50Millis());

            BorrowerInfo[] borrowers = pool.listBorrowers();
            assertThat(borrowers).hasSize(1);
            assertThat(borrowers[0].getThreadName()).isEqualTo(Thread.currentThread().getName());
            assertThat(borrowers[0].getStackTrace())
                    .contains(AgentManagementTest.class.getName() + ".poolShowsTheHeldConnectionAndItsBorrower");
            assertThat(Instant.parse(borrowers[0].getBorrowedAt())).isBeforeOrEqualTo(clock.instant());
            assertThat(borrowers[0].getAgeMillis()).isGreaterThanOrEqualTo(0);
            assertThat(pool.listBorrowersText())
                    .startsWith("1 connection borrowed from main/primary\n- " + Thread.currentThread().getName())
                    .contains("poolShowsTheHeldConnectionAndItsBorrower");
        }
        assertThat(pool.getActive()).isZero();
        assertThat(pool.listBorrowers()).isEmpty();
        int idle = pool.getIdle();
        assertThat(pool.evictIdleConnections()).isEqualTo(idle);
        assertThat(pool.getIdle()).isZero();
    }

    @Test
    void forceOpenFromARemoteClientRejectsAcquisitionAndNotifiesARemoteListener() throws Exception {
        ObjectName name = ObjectNames.poolBreaker(AGENT, "main", "primary");
        remote.addNotificationListener(name, collect, null, null);
        CircuitBreakerMXBean breaker = JMX.newMXBeanProxy(remote, name, CircuitBreakerMXBean.class);
        assertThat(breaker.getState()).isEqualTo("CLOSED");
        assertThat(breaker.getLayer()).isEqualTo("pool");
        assertThat(breaker.getRole()).isEqualTo("primary");
        assertThat(breaker.getLastTransition()).isEmpty();
        assertThat(breaker.getLastTransitionAt()).isEmpty();

        assertThat(breaker.forceOpen()).isEqualTo("CLOSED -> FORCED_OPEN");
        assertThat(breaker.getState()).isEqualTo("FORCED_OPEN");
        assertThatThrownBy(() -> primary().acquire()).isInstanceOf(BreakerOpenException.class)
                .hasMessageContaining("main").hasMessageContaining("FORCED_OPEN");
        assertThat(breaker.getNotPermittedCalls()).isEqualTo(1);
        assertThat(breaker.getLastTransition()).isEqualTo("CLOSED -> FORCED_OPEN");
        assertThat(breaker.getLastTransitionCause()).isEqualTo("forceOpen by local");
        assertThat(Instant.parse(breaker.getLastTransitionAt())).isBeforeOrEqualTo(clock.instant());

        await().atMost(Duration.ofSeconds(10)).until(() -> ofType(Notifications.BREAKER_STATE).size() == 1);
        Notification n = ofType(Notifications.BREAKER_STATE).get(0);
        assertThat(n.getSource()).isEqualTo(name);
        assertThat(n.getMessage())
                .isEqualTo("circuit breaker main/pool/primary CLOSED -> FORCED_OPEN: forceOpen by local");
        CompositeData data = (CompositeData) n.getUserData();
        assertThat(data.get("database")).isEqualTo("main");
        assertThat(data.get("layer")).isEqualTo("pool");
        assertThat(data.get("role")).isEqualTo("primary");
        assertThat(data.get("from")).isEqualTo("CLOSED");
        assertThat(data.get("to")).isEqualTo("FORCED_OPEN");
        assertThat(data.get("cause")).isEqualTo("forceOpen by local");

        assertThat(breaker.reset()).isEqualTo("FORCED_OPEN -> CLOSED");
        try (Connection c = primary().acquire()) {
            assertThat(c.isValid(5)).isTrue();
        }
        assertThat(breaker.disable()).isEqualTo("CLOSED -> DISABLED");
        assertThat(breaker.metricsOnly()).isEqualTo("DISABLED -> METRICS_ONLY");
        assertThat(breaker.reset()).isEqualTo("METRICS_ONLY -> CLOSED");
        await().atMost(Duration.ofSeconds(10)).until(() -> ofType(Notifications.BREAKER_STATE).size() == 5);
        assertThat(ofType(Notifications.BREAKER_STATE)).extracting(x -> ((CompositeData) x.getUserData()).get("to"))
                .containsExactly("FORCED_OPEN", "CLOSED", "DISABLED", "METRICS_ONLY", "CLOSED");
        assertThat(ofType(Notifications.BREAKER_STATE)).extracting(Notification::getSequenceNumber)
                .containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void anOpeningBreakerNamesTheThresholdAndTheLastErrorWithoutSecrets() throws Exception {
        ObjectName name = ObjectNames.serviceBreaker(AGENT, "main");
        remote.addNotificationListener(name, collect, null, null);
        CircuitBreakerMXBean breaker = JMX.newMXBeanProxy(remote, name, CircuitBreakerMXBean.class);
        assertThat(breaker.getLayer()).isEqualTo("service");
        assertThat(breaker.getRole()).isEmpty();
        int window = service.circuitBreaker().getCircuitBreakerConfig().getMinimumNumberOfCalls();
        for (int i = 0; i < window; i++) {
            service.circuitBreaker().onError(1, java.util.concurrent.TimeUnit.MILLISECONDS,
                    new java.sql.SQLTransientConnectionException(
                            "connection refused: jdbc:postgresql://h/db?password=" + db.password(), "08001"));
        }
        assertThat(breaker.getState()).isEqualTo("OPEN");
        assertThat(breaker.getFailedCalls()).isEqualTo(window);
        assertThat(breaker.getFailureRatePercent()).isEqualTo(100.0f);
        assertThat(breaker.getLastTransitionCause())
                .startsWith("failure rate 100.0% >= ")
                .contains("last error: SQLTransientConnectionException: connection refused")
                .doesNotContain(db.password());
        assertThatThrownBy(() -> service.read(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()))
                .isInstanceOf(BreakerOpenException.class);

        await().atMost(Duration.ofSeconds(10)).until(() -> ofType(Notifications.BREAKER_STATE).size() == 1);
        CompositeData data = (CompositeData) ofType(Notifications.BREAKER_STATE).get(0).getUserData();
        assertThat(data.get("layer")).isEqualTo("service");
        assertThat(data.get("role")).isEqualTo("");
        assertThat(data.get("from")).isEqualTo("CLOSED");
        assertThat(data.get("to")).isEqualTo("OPEN");
        assertThat((String) data.get("cause")).isEqualTo(breaker.getLastTransitionCause());
        assertThat(breaker.reset()).isEqualTo("OPEN -> CLOSED");
    }

    @Test
    void serviceCountsCallsAndMetricsAreExportedUnderTheAgent() throws Exception {
        ServiceMXBean bean = JMX.newMXBeanProxy(remote, ObjectNames.service(AGENT, "main"), ServiceMXBean.class);
        Integer answer = service.read(h -> h.createQuery("SELECT 41 + 1").mapTo(Integer.class).one());
        assertThat(answer).isEqualTo(42);
        assertThatThrownBy(() -> service.read(h -> h.createQuery("SELECT nope").mapTo(Integer.class).one()))
                .isInstanceOf(org.jdbi.v3.core.statement.UnableToExecuteStatementException.class);
        assertThat(bean.getDatabase()).isEqualTo("main");
        assertThat(bean.getCalls()).isEqualTo(2);
        assertThat(bean.getErrors()).isEqualTo(1);
        assertThat(bean.getErrorsByClass()).hasSize(1);
        assertThat(bean.getErrorsByClass()[0].getErrorClass())
                .isEqualTo("org.jdbi.v3.core.statement.UnableToExecuteStatementException");
        assertThat(bean.getErrorsByClass()[0].getCount()).isEqualTo(1);
        assertThat(bean.getRetries()).isZero();
        assertThat(bean.getOutcomeUnknown()).isZero();
        assertThat(bean.getSlowQueryCount()).isEqualTo(service.slowQueryCount());
        assertThat(bean.getRecentSlowQueries()).hasSize(service.slowQueries().size());

        ObjectName timer = ObjectNames.metric(AGENT, "timers", service.metricPrefix() + ".read.calls");
        assertThat(timer.toString()).isEqualTo("dev.dbagent.metrics:agent=mgmt,type=timers,name=dbagent.mgmt.main.read.calls");
        assertThat(remote.isRegistered(timer)).isTrue();
        assertThat(remote.getAttribute(timer, "Count")).isEqualTo(2L);
        assertThat(remote.queryNames(ObjectNames.metricsOfAgent(AGENT), null)).contains(timer)
                .allMatch(n -> n.getKeyProperty("name").startsWith("dbagent.mgmt."));

        management.close();
        assertThat(remote.queryNames(ObjectNames.metricsOfAgent(AGENT), null)).isEmpty();
    }

    @Test
    void healthReportsChecksAndNotifiesStatusChanges() throws Exception {
        ObjectName name = ObjectNames.health(AGENT);
        remote.addNotificationListener(name, collect, null, null);
        HealthMXBean bean = JMX.newMXBeanProxy(remote, name, HealthMXBean.class);
        assertThat(bean.getStatus()).isEqualTo("UNKNOWN");
        assertThat(bean.getLastRunAt()).isEmpty();
        assertThat(bean.getChecks()).isEmpty();

        assertThat(bean.runNow()).startsWith("health UP at ").contains("main.probe").contains("fine");
        assertThat(bean.getStatus()).isEqualTo("UP");
        assertThat(bean.getChecks()).hasSize(1);
        assertThat(bean.getChecks()[0].getName()).isEqualTo("main.probe");
        assertThat(bean.getChecks()[0].getStatus()).isEqualTo("UP");
        assertThat(bean.getChecks()[0].getMessage()).isEqualTo("fine");
        assertThat(bean.getIssues()).isEmpty();

        checkResult.set(CheckResult.down("no answer", List.of(new Issue(Issue.Severity.CRITICAL, "main.probe",
                "main (primary) unreachable"))));
        HealthReportInfo report = bean.runNowReport();
        assertThat(report.getStatus()).isEqualTo("DOWN");
        assertThat(report.getChecks()).extracting(c -> c.getStatus()).containsExactly("DOWN");
        assertThat(report.getIssues()).hasSize(1);
        assertThat(report.getIssues()[0].getSeverity()).isEqualTo("CRITICAL");
        assertThat(report.getIssues()[0].getMessage()).isEqualTo("main (primary) unreachable");
        assertThat(bean.getStatus()).isEqualTo("DOWN");
        assertThat(Instant.parse(bean.getLastRunAt())).isBeforeOrEqualTo(clock.instant());
        bean.runNow();  // still DOWN: no notification

        await().atMost(Duration.ofSeconds(10)).until(() -> ofType(Notifications.HEALTH_STATUS).size() == 2);
        List<Notification> ns = ofType(Notifications.HEALTH_STATUS);
        CompositeData first = (CompositeData) ns.get(0).getUserData();
        assertThat(first.get("from")).isEqualTo("UNKNOWN");
        assertThat(first.get("to")).isEqualTo("UP");
        assertThat(first.get("summary")).isEqualTo("");
        CompositeData second = (CompositeData) ns.get(1).getUserData();
        assertThat(second.get("from")).isEqualTo("UP");
        assertThat(second.get("to")).isEqualTo("DOWN");
        assertThat(second.get("summary")).isEqualTo("CRITICAL [main.probe] main (primary) unreachable");
        assertThat(ns.get(1).getMessage())
                .isEqualTo("health UP -> DOWN: CRITICAL [main.probe] main (primary) unreachable");
    }

    @Test
    void operationsRunAsTheCallerReturnOpenResultsAndNotify() throws Exception {
        ObjectName name = ObjectNames.operations(AGENT, "main");
        remote.addNotificationListener(name, collect, null, null);
        OperationsMXBean ops = JMX.newMXBeanProxy(remote, name, OperationsMXBean.class);

        OperationResultInfo migrated = ops.migrate();
        assertThat(migrated.getOperation()).isEqualTo("migrate");
        assertThat(migrated.isSuccess()).isTrue();
        assertThat(migrated.getSteps()).isNotEmpty();
        assertThat(migrated.getText()).contains(migrated.getSummary());

        OperationResultInfo status = ops.status();
        assertThat(status.isSuccess()).isTrue();

        assertThatThrownBy(() -> ops.reset("not-a-token")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reset token");
        String token = ops.prepareReset();
        assertThat(token).matches("[0-9a-f]{32}");

        await().atMost(Duration.ofSeconds(10)).until(() -> ofType(Notifications.OPS_COMPLETED).size() == 4);
        List<CompositeData> data = ofType(Notifications.OPS_COMPLETED).stream()
                .map(n -> (CompositeData) n.getUserData()).collect(Collectors.toList());
        assertThat(data).extracting(d -> d.get("operation"))
                .containsExactly("migrate", "status", "reset", "prepareReset");
        assertThat(data).extracting(d -> d.get("outcome")).containsExactly(Notifications.OUTCOME_SUCCEEDED,
                Notifications.OUTCOME_SUCCEEDED, Notifications.OUTCOME_REFUSED, Notifications.OUTCOME_SUCCEEDED);
        assertThat(data).extracting(d -> d.get("caller")).containsOnly("local");
        assertThat(data).extracting(d -> d.get("success")).containsExactly(true, true, false, true);
        assertThat(data.get(2).get("arguments")).isEqualTo("");
        for (Notification n : ofType(Notifications.OPS_COMPLETED)) {
            assertThat(n.getMessage()).doesNotContain(token).doesNotContain("not-a-token");
        }
    }

    @Test
    void aSecondChangingOperationIsRefusedWhileOneRuns() throws Exception {
        OperationsMXBeanAdapter adapter = new OperationsMXBeanAdapter(operations, ObjectNames.operations("other", "main"),
                clock);
        List<Notification> local = new CopyOnWriteArrayList<>();
        adapter.addNotificationListener((n, hb) -> local.add(n), null, null);
        // simulate a running migrate by holding the guard from inside an operation's audit listener
        AtomicReference<Throwable> nested = new AtomicReference<>();
        operations.addAuditListener(e -> {
            if (e.operation().equals("migrate") && nested.get() == null) {
                try {
                    adapter.releaseLock(false);
                    nested.set(new AssertionError("releaseLock ran during migrate"));
                } catch (IllegalStateException refused) {
                    nested.set(refused);
                }
            }
        });
        try {
            adapter.migrate();
        } finally {
            adapter.close();
        }
        assertThat(nested.get()).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("releaseLock refused: another operation is running (migrate by local since ")
                .hasMessageEndingWith("); operations that change the database run one at a time, try again when it"
                        + " has finished");
        assertThat(local).extracting(n -> ((CompositeData) n.getUserData()).get("outcome"))
                .contains(Notifications.OUTCOME_REFUSED, Notifications.OUTCOME_SUCCEEDED);
        // the refusal is audited like any other: in the audit table too
        try (java.sql.Connection c = db.dataSource().getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT caller, arguments, success, outcome, result"
                     + " FROM dbagent.audit_log WHERE operation = 'release-lock' ORDER BY id DESC LIMIT 1");
             java.sql.ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("caller")).isEqualTo("local");
            assertThat(rs.getString("arguments")).contains("force=false");
            assertThat(rs.getBoolean("success")).isFalse();
            assertThat(rs.getString("outcome")).startsWith("refused: another operation is running (migrate by local since ");
            assertThat(rs.getString("result")).isEqualTo("REFUSED");
        }
    }

    @Test
    void anAuthenticatedRemoteCallerIsNamedInCausesAndNotifications() throws Exception {
        Map<String, Object> env = Map.of(JMXConnectorServer.AUTHENTICATOR, (JMXAuthenticator) credentials ->
                new Subject(true, Set.of(new JMXPrincipal(((String[]) credentials)[0])), Set.of(), Set.of()));
        JMXConnectorServer authenticated = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi://127.0.0.1"), env, server);
        authenticated.start();
        try (JMXConnector alice = JMXConnectorFactory.connect(authenticated.getAddress(),
                Map.of(JMXConnector.CREDENTIALS, new String[] {"alice", "irrelevant"}))) {
            MBeanServerConnection connection = alice.getMBeanServerConnection();
            ObjectName breakerName = ObjectNames.serviceBreaker(AGENT, "main");
            connection.addNotificationListener(breakerName, collect, null, null);
            connection.addNotificationListener(ObjectNames.operations(AGENT, "main"), collect, null, null);
            CircuitBreakerMXBean breaker = JMX.newMXBeanProxy(connection, breakerName, CircuitBreakerMXBean.class);
            assertThat(breaker.forceOpen()).isEqualTo("CLOSED -> FORCED_OPEN");
            assertThat(breaker.getLastTransitionCause()).isEqualTo("forceOpen by jmx:alice");
            assertThat(breaker.reset()).isEqualTo("FORCED_OPEN -> CLOSED");

            OperationsMXBean ops = JMX.newMXBeanProxy(connection, ObjectNames.operations(AGENT, "main"), OperationsMXBean.class);
            assertThat(ops.releaseLock(false).getSummary()).isEqualTo("no lock held; nothing to release");
            await().atMost(Duration.ofSeconds(10)).until(() -> ofType(Notifications.OPS_COMPLETED).size() == 1
                    && ofType(Notifications.BREAKER_STATE).size() == 2);
        } finally {
            authenticated.stop();
        }
        CompositeData op = (CompositeData) ofType(Notifications.OPS_COMPLETED).get(0).getUserData();
        assertThat(op.get("operation")).isEqualTo("releaseLock");
        assertThat(op.get("caller")).isEqualTo("jmx:alice");
        assertThat(op.get("arguments")).isEqualTo("force=false");
        assertThat(op.get("outcome")).isEqualTo(Notifications.OUTCOME_SUCCEEDED);
        assertThat(ofType(Notifications.BREAKER_STATE)).extracting(n -> ((CompositeData) n.getUserData()).get("cause"))
                .containsExactly("forceOpen by jmx:alice", "reset by jmx:alice");
    }

    @Test
    void noAttributeEverContainsThePassword() throws Exception {
        try (Connection held = primary().acquire()) {
            assertThat(held.isValid(5)).isTrue();
            health.runNow();
            List<String> values = new ArrayList<>();
            for (ObjectName name : remote.queryNames(null, null)) {
                if (!name.getDomain().startsWith("dev.dbagent")) {
                    continue;
                }
                for (MBeanAttributeInfo a : remote.getMBeanInfo(name).getAttributes()) {
                    values.add(name + " " + a.getName() + " = " + render(remote.getAttribute(name, a.getName())));
                }
            }
            assertThat(values).hasSizeGreaterThan(60);
            assertThat(values).noneMatch(v -> v.contains(db.password()));
            assertThat(values).anyMatch(v -> v.contains("JdbcUrl = jdbc:postgresql://127.0.0.1:"));
        }
    }

    private static String render(Object value) {
        if (value == null) {
            return "null";
        }
        if (value.getClass().isArray()) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < Array.getLength(value); i++) {
                sb.append(render(Array.get(value, i))).append(", ");
            }
            return sb.append(']').toString();
        }
        if (value instanceof CompositeData cd) {
            StringBuilder sb = new StringBuilder("{");
            for (String key : cd.getCompositeType().keySet()) {
                sb.append(key).append('=').append(render(cd.get(key))).append(", ");
            }
            return sb.append('}').toString();
        }
        return String.valueOf(value);
    }

    @Test
    void closeUnregistersExactlyWhatWasRegisteredAndIsIdempotent() throws Exception {
        ObjectName foreignSameAgent = new ObjectName("dev.dbagent:type=Foreign,agent=" + AGENT);
        ObjectName otherAgent = ObjectNames.agent("someone-else");
        server.registerMBean(new StandardMBean(new Marker(), MarkerMBean.class), foreignSameAgent);
        server.registerMBean(new StandardMBean(new Marker(), MarkerMBean.class), otherAgent);

        management.close();
        assertThat(remote.queryNames(new ObjectName("dev.dbagent:*"), null))
                .containsExactlyInAnyOrder(foreignSameAgent, otherAgent);
        assertThat(management.registeredNames()).isEmpty();
        management.close();
        assertThat(remote.queryNames(new ObjectName("dev.dbagent:*"), null))
                .containsExactlyInAnyOrder(foreignSameAgent, otherAgent);
    }

    @Test
    void aSecondAgentWithTheSameNameIsRefusedAndLeavesTheFirstIntact() throws Exception {
        assertThatThrownBy(() -> AgentManagement.register(server, AGENT, "test", clock.instant(), clock, pools(),
                Map.of("main", service), health, Map.of("main", operations), metrics))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot register " + ObjectNames.agent(AGENT) + ": a bean with this name is already"
                        + " registered (is another agent with the same name running against this MBeanServer?)");
        assertThat(remote.queryNames(ObjectNames.allOfAgent(AGENT), null)).isEqualTo(expectedNames());

        // a partial clash (only the Health name taken) rolls back everything registered before it
        ObjectName taken = ObjectNames.health("second");
        server.registerMBean(new StandardMBean(new Marker(), MarkerMBean.class), taken);
        assertThatThrownBy(() -> AgentManagement.register(server, "second", "test", clock.instant(), clock, pools(),
                Map.of(), health, null, null))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("cannot register " + taken);
        assertThat(remote.queryNames(ObjectNames.allOfAgent("second"), null)).containsExactly(taken);
    }

    @Test
    void partsThatAreMissingAreSkipped() throws Exception {
        try (AgentManagement partial = AgentManagement.register(server, "partial", "development", clock.instant(),
                clock, null, null, null, null, null)) {
            assertThat(partial.registeredNames()).containsExactly(ObjectNames.agent("partial"));
            assertThat(remote.getAttribute(ObjectNames.agent("partial"), "Databases")).isEqualTo(new String[0]);
        }
        assertThat(remote.isRegistered(ObjectNames.agent("partial"))).isFalse();
    }

    @Test
    void badAgentNameIsRejectedBeforeAnythingIsRegistered() {
        assertThatThrownBy(() -> AgentManagement.register(server, "bad,name", "test", clock.instant(), clock,
                null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agent name must match");
    }

    /** A foreign bean. */
    public interface MarkerMBean {
        /** @return a constant */
        int getValue();
    }

    /** A foreign bean's implementation. */
    public static final class Marker implements MarkerMBean {
        @Override
        public int getValue() {
            return 7;
        }
    }

}
