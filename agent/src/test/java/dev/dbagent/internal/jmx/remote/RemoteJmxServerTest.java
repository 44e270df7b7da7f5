package dev.dbagent.internal.jmx.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dbagent.OperationRefusedException;
import dev.dbagent.config.Environment;
import dev.dbagent.config.JmxRemoteSettings;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteJmxServerTest {

    @TempDir
    Path dir;

    private MBeanServer mbeanServer;
    private TestBeans beans;
    private Credentials credentials;
    private RemoteJmxServer server;

    @BeforeEach
    void setUp() throws Exception {
        mbeanServer = MBeanServerFactory.newMBeanServer();
        beans = TestBeans.register(mbeanServer, "rjmx");
        credentials = Credentials.in(dir);
    }

    @AfterEach
    void tearDown() throws JMException {
        if (server != null) {
            server.close();
        }
        beans.unregister(mbeanServer);
    }

    private RemoteJmxServer startAuthenticated() {
        server = RemoteJmxServer.start(mbeanServer,
                JmxRemoteSettings.authenticated(0, credentials.passwordFile, credentials.accessFile),
                Environment.PRODUCTION);
        return server;
    }

    private JMXConnector connect(String user, String password) throws IOException {
        return JMXConnectorFactory.connect(server.serviceUrl(),
                Map.of(JMXConnector.CREDENTIALS, new String[] {user, password}));
    }

    @Test
    void wrongPasswordIsRefused() {
        startAuthenticated();

        assertThatThrownBy(() -> connect("operator", "not-the-password"))
                .isInstanceOf(SecurityException.class)
                .hasMessage("Authentication failed");
        assertThatThrownBy(() -> JMXConnectorFactory.connect(server.serviceUrl()))
                .isInstanceOf(SecurityException.class)
                .hasMessageContaining("credentials must be [user, password]");
    }

    @Test
    void monitorReadsAndRunsInfoOperationsButNoActions() throws Exception {
        startAuthenticated();

        try (JMXConnector connector = connect("monitor", Credentials.MONITOR_PASSWORD)) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            assertThat(connection.getAttribute(beans.healthName(), "Status")).isEqualTo("UP");
            assertThat(connection.getAttribute(beans.poolName(), "MaxTotal")).isEqualTo(10);
            CompositeData health = (CompositeData) connection.invoke(beans.operationsName(), "health", null, null);
            assertThat(health.get("text")).isEqualTo("UP: 3 checks passed");
            assertThat(beans.operations.getLastCaller()).isEqualTo("jmx:monitor");
            int before = beans.operations.getInvocations();

            assertThatThrownBy(() -> connection.invoke(beans.operationsName(), "reset",
                    new Object[] {TestBeans.TOKEN}, new String[] {String.class.getName()}))
                    .isInstanceOf(SecurityException.class)
                    .hasMessageContaining("reset changes state (impact ACTION) and needs the operator role");
            assertThat(beans.operations.getInvocations()).isEqualTo(before);
        }
    }

    @Test
    void operatorInvokesOperationsAndIsTheRecordedCaller() throws Exception {
        startAuthenticated();

        try (JMXConnector connector = connect("operator", Credentials.OPERATOR_PASSWORD)) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            String token = (String) connection.invoke(beans.operationsName(), "prepareReset", null, null);
            CompositeData result = (CompositeData) connection.invoke(beans.operationsName(), "reset",
                    new Object[] {token}, new String[] {String.class.getName()});

            assertThat(result.get("operation")).isEqualTo("reset");
            assertThat(result.get("success")).isEqualTo(true);
            assertThat(connection.getAttribute(beans.operationsName(), "LastCaller")).isEqualTo("jmx:operator");
        }
        assertThat(beans.operations.getLastCaller()).isEqualTo("jmx:operator");
    }

    @Test
    void failingOperationReachesTheClientWithItsMessage() throws Exception {
        startAuthenticated();

        try (JMXConnector connector = connect("operator", Credentials.OPERATOR_PASSWORD)) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            assertThatThrownBy(() -> connection.invoke(beans.operationsName(), "migrate", null, null))
                    .hasRootCauseInstanceOf(IllegalStateException.class)
                    .hasStackTraceContaining("migrate failed: migration lock held by host-a");
        }
    }

    @Test
    void stagingAndProductionRefuseToStartWithoutAuthentication() {
        for (Environment env : new Environment[] {Environment.STAGING, Environment.PRODUCTION}) {
            assertThatThrownBy(() -> RemoteJmxServer.start(mbeanServer, JmxRemoteSettings.unauthenticated(0), env))
                    .isInstanceOf(OperationRefusedException.class)
                    .hasMessageContaining("remote JMX refused to start: dbagent.jmx.remote.auth=false:"
                            + " remote JMX must require authentication in " + env.key());
        }
    }

    @Test
    void passwordFileReadableByOthersIsRefused() throws IOException {
        Files.setPosixFilePermissions(credentials.passwordFile, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(this::startAuthenticated)
                .isInstanceOf(OperationRefusedException.class)
                .hasMessageContaining("must be readable by its owner only")
                .hasMessageContaining("OTHERS_READ")
                .hasMessageNotContaining(Credentials.OPERATOR_PASSWORD);
    }

    @Test
    void authWithoutAccessFileIsRefused() {
        JmxRemoteSettings settings = new JmxRemoteSettings(true, "127.0.0.1", 0, true,
                Optional.of(credentials.passwordFile), Optional.empty(), false);

        assertThatThrownBy(() -> RemoteJmxServer.start(mbeanServer, settings, Environment.DEVELOPMENT))
                .isInstanceOf(OperationRefusedException.class)
                .hasMessage("remote JMX refused to start: dbagent.jmx.remote.accessFile is required when"
                        + " dbagent.jmx.remote.auth=true (it gives each user the monitor or operator role)");
    }

    @Test
    void unauthenticatedDevelopmentConnectorServesLocalCallers() throws Exception {
        server = RemoteJmxServer.start(mbeanServer, JmxRemoteSettings.unauthenticated(0), Environment.DEVELOPMENT);

        try (JMXConnector connector = JMXConnectorFactory.connect(server.serviceUrl())) {
            CompositeData result = (CompositeData) connector.getMBeanServerConnection()
                    .invoke(beans.operationsName(), "health", null, null);
            assertThat(result.get("text")).isEqualTo("UP: 3 checks passed");
        }
        assertThat(beans.operations.getLastCaller()).isEqualTo(Callers.LOCAL);
        assertThat(server.serviceUrl().toString())
                .isEqualTo("service:jmx:rmi:///jndi/rmi://127.0.0.1:"
                        + server.port() + "/jmxrmi");
    }

    @Test
    void wildcardBindAdvertisesAReachableHostName() throws Exception {
        server = RemoteJmxServer.start(mbeanServer, JmxRemoteSettings
                .authenticated(0, credentials.passwordFile, credentials.accessFile).withHost("0.0.0.0"),
                Environment.DEVELOPMENT);

        assertThat(server.serviceUrl().toString()).doesNotContain("0.0.0.0").endsWith(":" + server.port() + "/jmxrmi");
        try (JMXConnector connector = connect("monitor", Credentials.MONITOR_PASSWORD)) {
            assertThat(connector.getMBeanServerConnection().getAttribute(beans.healthName(), "Status")).isEqualTo("UP");
        }
    }

    @Test
    void listensOnLoopbackOnly() throws IOException {
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> !a.isLoopbackAddress() && a.getAddress().length == 4)
                .findFirst();
        Assumptions.assumeTrue(external.isPresent(), "no non-loopback IPv4 address on this machine");
        startAuthenticated();

        try (Socket loopback = new Socket()) {
            loopback.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 2_000);
            assertThat(loopback.isConnected()).isTrue();
        }
        assertThatThrownBy(() -> {
            try (Socket other = new Socket()) {
                other.connect(new InetSocketAddress(external.get(), server.port()), 2_000);
            }
        }).isInstanceOf(IOException.class);
    }

    @Test
    void closeStopsTheConnectorAndFreesThePort() throws IOException {
        startAuthenticated();
        int port = server.port();
        assertThat(server.isActive()).isTrue();

        server.close();
        server.close();

        assertThat(server.isActive()).isFalse();
        // RMI closes the listening socket from its accept thread, which may lag the unexport a little
        await().atMost(Duration.ofSeconds(10)).until(() -> canBind(port));
        assertThatThrownBy(() -> connect("operator", Credentials.OPERATOR_PASSWORD)).isInstanceOf(IOException.class);
    }

    private static boolean canBind(int port) {
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return again.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void callerOutsideAnyRemoteCallIsLocal() {
        assertThat(Callers.current()).isEqualTo("local");
    }
}
