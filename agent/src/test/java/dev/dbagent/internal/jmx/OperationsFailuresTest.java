package dev.dbagent.internal.jmx;

import dev.dbagent.config.Environment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dbagent.BreakerOpenException;
import dev.dbagent.OperationRefusedException;
import dev.dbagent.mbeans.Notifications;
import dev.dbagent.mbeans.ObjectNames;
import dev.dbagent.mbeans.OperationsMXBean;
import dev.dbagent.ops.Operation;
import dev.dbagent.ops.OperationOutcome;
import dev.dbagent.ops.Operations;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How failures of operations reach a remote client: JDK exceptions with complete messages. */
@ExtendWith(PostgresExtension.class)
class OperationsFailuresTest {
    private final Clock clock = Clock.systemUTC();
    private final List<Notification> received = new CopyOnWriteArrayList<>();
    private MBeanServer server;
    private JMXConnectorServer connectorServer;
    private JMXConnector connector;
    private MBeanServerConnection remote;
    private AgentManagement management;

    @BeforeEach
    void connect() throws Exception {
        server = MBeanServerFactory.newMBeanServer();
        connectorServer = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi://127.0.0.1"), null, server);
        connectorServer.start();
        connector = JMXConnectorFactory.connect(connectorServer.getAddress());
        remote = connector.getMBeanServerConnection();
    }

    @AfterEach
    void disconnect() throws Exception {
        if (management != null) {
            management.close();
        }
        connector.close();
        connectorServer.stop();
    }

    private OperationsMXBean register(TestDatabase db, String agent, String schema, String changelog,
            String environment) throws Exception {
        Operations ops = Operations.builder()
                .jdbcUrl(db.jdbcUrl()).user(db.user()).password(db.password())
                .targetSchema(schema).changelog(changelog)
                .environment(Environment.parse(environment).orElseThrow()).clock(clock)
                .build();
        management = AgentManagement.register(server, agent, environment, clock.instant(), clock, null, null, null,
                Map.of("main", ops), null);
        remote.addNotificationListener(ObjectNames.operations(agent, "main"), (n, hb) -> received.add(n), null, null);
        return JMX.newMXBeanProxy(remote, ObjectNames.operations(agent, "main"), OperationsMXBean.class);
    }

    private List<CompositeData> completed() {
        return received.stream().filter(n -> n.getType().equals(Notifications.OPS_COMPLETED))
                .map(n -> (CompositeData) n.getUserData()).collect(Collectors.toList());
    }

    @Test
    void aFailedMigrationIsAnIllegalStateExceptionNamingTheChangeset(TestDatabase db) throws Exception {
        OperationsMXBean ops = register(db, "broken", "broken_app", "dev/dbagent/ops/broken.xml", "test");
        assertThatThrownBy(ops::migrate).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("migrate failed: ")
                .hasMessageContaining("b2-broken-index")
                .hasMessageContaining("colour")
                .hasNoCause();
        await().atMost(Duration.ofSeconds(10)).until(() -> completed().size() == 1);
        CompositeData n = completed().get(0);
        assertThat(n.get("operation")).isEqualTo("migrate");
        assertThat(n.get("outcome")).isEqualTo(Notifications.OUTCOME_FAILED);
        assertThat(n.get("success")).isEqualTo(false);
        assertThat((String) n.get("summary")).contains("b2-broken-index");
    }

    @Test
    void resetIsRefusedInProductionWithAJdkException(TestDatabase db) throws Exception {
        OperationsMXBean ops = register(db, "prod", "prod_app", "dev/dbagent/ops/simple/master.xml", "production");
        assertThatThrownBy(ops::prepareReset).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("reset refused: reset is refused in production")
                .hasNoCause();
        assertThatThrownBy(() -> ops.reset("whatever")).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("reset refused: reset is refused in production");
        await().atMost(Duration.ofSeconds(10)).until(() -> completed().size() == 2);
        assertThat(completed()).extracting(d -> d.get("operation")).containsExactly("prepareReset", "reset");
        assertThat(completed()).extracting(d -> d.get("outcome"))
                .containsOnly(Notifications.OUTCOME_REFUSED);
        assertThat(completed()).extracting(d -> d.get("arguments")).containsOnly("");
    }

    @Test
    void componentExceptionsBecomeJdkExceptions() {
        RuntimeException refused = JmxErrors.translate("releaseLock",
                new OperationRefusedException("migration lock is held by pid 42"));
        assertThat(refused).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("releaseLock refused: migration lock is held by pid 42").hasNoCause();
        RuntimeException open = JmxErrors.translate("status",
                new BreakerOpenException("main", "pool", "primary", "OPEN"));
        assertThat(open).isExactlyInstanceOf(IllegalStateException.class).hasMessageStartingWith("status failed: ")
                .hasNoCause();
        RuntimeException other = JmxErrors.translate("drift",
                new UnsupportedOperationException("jdbc:postgresql://h/db?user=u&password=hunter2 gone"));
        assertThat(other).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("drift failed: UnsupportedOperationException: ")
                .hasMessageNotContaining("hunter2");
        assertThat(JmxErrors.translate("reset", new IllegalArgumentException("bad token")))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("bad token");
    }

    @Test
    void auditEventsAreClassifiedAsTheContractSays() {
        assertThat(OperationsMXBeanAdapter.outcome(OperationOutcome.SUCCEEDED)).isEqualTo("SUCCEEDED");
        assertThat(OperationsMXBeanAdapter.outcome(OperationOutcome.ANSWERED_NO)).isEqualTo("ANSWERED_NO");
        assertThat(OperationsMXBeanAdapter.outcome(OperationOutcome.FAILED)).isEqualTo("FAILED");
        assertThat(OperationsMXBeanAdapter.outcome(OperationOutcome.REFUSED)).isEqualTo("REFUSED");
        assertThat(OperationsMXBeanAdapter.arguments(Map.of("token", "****", "force", "true", "b", "1")))
                .isEqualTo("b=1, force=true");
        assertThat(Operation.RELEASE_LOCK.jmxName()).isEqualTo("releaseLock");
        assertThat(Operation.MIGRATE.jmxName()).isEqualTo("migrate");
        assertThat(Operation.byName("releaseLock")).contains(Operation.RELEASE_LOCK);
    }
}
