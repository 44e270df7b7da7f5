package dev.dbagent.internal.jmx.remote;

import dev.dbagent.Keytool;
import dev.dbagent.config.Environment;
import dev.dbagent.config.JmxRemoteSettings;
import dev.dbagent.config.JolokiaSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote JMX over TLS: the server's context is built from a throw-away key store; the client is
 * jmxterm (through dbctl --ssl) in its own JVM, trusting the certificate through its trust store.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RemoteJmxTlsTest {

    private static final String STORE_PASSWORD = "changeit";
    private static final Path DBCTL = Path.of("..", "scripts", "dbctl").toAbsolutePath().normalize();

    @TempDir
    static Path dir;

    private static MBeanServer mbeanServer;
    private static TestBeans beans;
    private static RemoteJmxServer server;
    private static Path trustStore;

    @BeforeAll
    static void start() throws Exception {
        Path keyStore = dir.resolve("server.p12");
        trustStore = dir.resolve("trust.p12");
        Path cert = dir.resolve("server.crt");
        Keytool.run("-genkeypair", "-alias", "dbagent", "-keyalg", "EC", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD);
        Keytool.run("-exportcert", "-alias", "dbagent", "-keystore", keyStore.toString(),
                "-storepass", STORE_PASSWORD, "-file", cert.toString());
        Keytool.run("-importcert", "-noprompt", "-alias", "dbagent", "-file", cert.toString(),
                "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", STORE_PASSWORD);

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, STORE_PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);

        mbeanServer = MBeanServerFactory.newMBeanServer();
        beans = TestBeans.register(mbeanServer, "demo");
        Credentials credentials = Credentials.in(dir);
        server = RemoteJmxServer.start(mbeanServer, JmxRemoteSettings
                .authenticated(0, credentials.passwordFile, credentials.accessFile)
                .withSsl(true), Environment.PRODUCTION, tls);
    }

    @AfterAll
    static void stop() throws JMException {
        if (server != null) {
            server.close();
        }
        if (beans != null) {
            beans.unregister(mbeanServer);
        }
    }

    private static DbctlTest.Run dbctl(boolean ssl) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", DBCTL.toString(), "--port",
                Integer.toString(server.port())));
        if (ssl) {
            command.add("--ssl");
        }
        command.add("health");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("DBCTL_"));
        builder.environment().put("DBCTL_USER", "operator");
        builder.environment().put("DBCTL_PASSWORD", Credentials.OPERATOR_PASSWORD);
        builder.environment().put("DBCTL_JAVA_OPTS", "-Djavax.net.ssl.trustStore=" + trustStore
                + " -Djavax.net.ssl.trustStorePassword=" + STORE_PASSWORD + " -Djavax.net.ssl.trustStoreType=PKCS12");
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new DbctlTest.Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void jmxtermConnectsOverTls() throws Exception {
        DbctlTest.Run run = dbctl(true);

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("UP\ndatabase main: round trip 2 ms\nstatus: UP\n");
    }

    @Test
    void plainTextClientCannotConnect() throws Exception {
        DbctlTest.Run run = dbctl(false);

        assertThat(run.exit()).isEqualTo(3);
        assertThatThrownBy(() -> {
            try (JMXConnector ignored = JMXConnectorFactory.connect(server.serviceUrl(),
                    Map.of(JMXConnector.CREDENTIALS, new String[] {"operator", Credentials.OPERATOR_PASSWORD}))) {
                // connected: the assertion below fails
            }
        }).isInstanceOf(IOException.class);
    }
}
