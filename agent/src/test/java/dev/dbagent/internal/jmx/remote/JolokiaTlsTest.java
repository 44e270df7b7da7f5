package dev.dbagent.internal.jmx.remote;

import dev.dbagent.Keytool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.InvalidConfigException;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.JmxRemoteSettings;
import dev.dbagent.config.JolokiaSettings;
import dev.dbagent.config.Secret;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jolokia over https with a CA and a server certificate made for this run: Java's HTTP client and
 * curl (through dbctl) trust the CA and get answers; a client that does not trust it, or speaks
 * plain HTTP, gets none; and a config with half of what TLS needs does not load.
 */
class JolokiaTlsTest {

    private static final String STORE_PASSWORD = "st0re-Secret";
    private static final Path DBCTL = Path.of("..", "scripts", "dbctl").toAbsolutePath().normalize();

    @TempDir
    static Path dir;

    private static MBeanServer mbeanServer;
    private static TestBeans beans;
    private static JolokiaServer jolokia;
    private static Path keyStore;
    private static Path caPem;
    private static SSLContext trustingCa;

    @BeforeAll
    static void start() throws Exception {
        Path ca = dir.resolve("ca.p12");
        keyStore = dir.resolve("server.p12");
        caPem = dir.resolve("ca.pem");
        Path request = dir.resolve("server.csr");
        Path serverCert = dir.resolve("server.pem");
        Keytool.run("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=dbagent test CA", "-ext", "bc:c",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", ca.toString(), "-storepass", STORE_PASSWORD);
        Keytool.run("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", STORE_PASSWORD,
                "-file", caPem.toString());
        Keytool.run("-genkeypair", "-alias", "jolokia", "-keyalg", "EC", "-dname", "CN=127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD);
        Keytool.run("-certreq", "-alias", "jolokia", "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD,
                "-file", request.toString());
        Keytool.run("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", STORE_PASSWORD,
                "-infile", request.toString(), "-outfile", serverCert.toString(), "-rfc", "-validity", "2",
                "-ext", "san=ip:127.0.0.1", "-ext", "eku=serverAuth");
        Keytool.run("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(),
                "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD);
        Keytool.run("-importcert", "-alias", "jolokia", "-file", serverCert.toString(),
                "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        trustingCa = SSLContext.getInstance("TLS");
        trustingCa.init(null, tmf.getTrustManagers(), null);

        mbeanServer = MBeanServerFactory.createMBeanServer();
        beans = TestBeans.register(mbeanServer, "tls");
        Credentials credentials = Credentials.in(dir);
        JmxRemoteSettings files = JmxRemoteSettings.authenticated(0, credentials.passwordFile, credentials.accessFile);
        jolokia = JolokiaServer.start(JolokiaSettings.sharingJmxUsers(0, Credentials.policy())
                .withTls(keyStore, Secret.of(STORE_PASSWORD)), files.withSsl(false), Environment.PRODUCTION);
    }

    @AfterAll
    static void stop() throws JMException {
        if (jolokia != null) {
            jolokia.close();
        }
        if (beans != null) {
            beans.unregister(mbeanServer);
            MBeanServerFactory.releaseMBeanServer(mbeanServer);
        }
    }

    private static HttpRequest read(URI base) {
        return HttpRequest.newBuilder(URI.create(base + "read/" + beans.healthName() + "/Status"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        ("monitor:" + Credentials.MONITOR_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .GET().build();
    }

    @Test
    void aClientTrustingTheCaReadsOverHttps() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trustingCa).build();

        HttpResponse<String> response = client.send(read(jolokia.url()), HttpResponse.BodyHandlers.ofString());

        assertThat(jolokia.url().getScheme()).isEqualTo("https");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"value\":\"UP\"").contains("\"status\":200");
    }

    @Test
    void aClientNotTrustingTheCaOrSpeakingPlainHttpGetsNothing() {
        HttpClient defaultTrust = HttpClient.newHttpClient();
        URI plain = URI.create(jolokia.url().toString().replace("https://", "http://"));

        assertThatThrownBy(() -> defaultTrust.send(read(jolokia.url()), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(read(plain), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void curlThroughDbctlVerifiesTheServerWithTheCa() throws Exception {
        DbctlTest.Run trusted = dbctl(caPem);
        DbctlTest.Run untrusted = dbctl(null);

        assertThat(trusted.exit()).as(trusted.err()).isZero();
        assertThat(trusted.out()).contains("status: UP");
        assertThat(untrusted.exit()).isEqualTo(3);
        assertThat(untrusted.err()).contains("cannot reach Jolokia at https://127.0.0.1:" + jolokia.port());
    }

    private static DbctlTest.Run dbctl(Path caCert) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", DBCTL.toString(), "--via", "jolokia", "--ssl",
                "--agent", "tls", "--port", Integer.toString(jolokia.port()), "health");
        builder.environment().keySet().removeIf(k -> k.startsWith("DBCTL_"));
        builder.environment().put("DBCTL_USER", "monitor");
        builder.environment().put("DBCTL_PASSWORD", Credentials.MONITOR_PASSWORD);
        if (caCert != null) {
            builder.environment().put("DBCTL_CURL_CACERT", caCert.toString());
        }
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new DbctlTest.Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static AgentConfig.Builder jolokiaConfig() {
        return AgentConfig.builder().environment(Environment.DEVELOPMENT)
                .database("main", d -> d.url("jdbc:postgresql://127.0.0.1:5432/app"))
                .set("dbagent.jolokia.enabled", true).set("dbagent.jolokia.port", 0)
                .set("dbagent.jolokia.auth", true).set("dbagent.jolokia.user", "operator")
                .set("dbagent.jolokia.password", "j0lokia-Secret");
    }

    @Test
    void halfATlsConfigurationDoesNotLoadAndNamesTheKeys() {
        InvalidConfigException sslOnly = org.assertj.core.api.Assertions.catchThrowableOfType(
                InvalidConfigException.class, () -> jolokiaConfig().set("dbagent.jolokia.ssl", true).build());
        InvalidConfigException storeOnly = org.assertj.core.api.Assertions.catchThrowableOfType(
                InvalidConfigException.class, () -> jolokiaConfig().set("dbagent.jolokia.ssl", true)
                        .set("dbagent.jolokia.keystore", keyStore.toString()).build());
        InvalidConfigException noSsl = org.assertj.core.api.Assertions.catchThrowableOfType(
                InvalidConfigException.class, () -> jolokiaConfig()
                        .set("dbagent.jolokia.keystore", keyStore.toString())
                        .set("dbagent.jolokia.keystorePassword", STORE_PASSWORD).build());
        InvalidConfigException wrongPassword = org.assertj.core.api.Assertions.catchThrowableOfType(
                InvalidConfigException.class, () -> jolokiaConfig().set("dbagent.jolokia.ssl", true)
                        .set("dbagent.jolokia.keystore", keyStore.toString())
                        .set("dbagent.jolokia.keystorePassword", "not-the-St0re-password").build());

        assertThat(sslOnly.problems()).containsExactly(
                "dbagent.jolokia.keystore is required when dbagent.jolokia.ssl=true",
                "dbagent.jolokia.keystorePassword is required when dbagent.jolokia.ssl=true");
        assertThat(storeOnly.problems()).containsExactly(
                "dbagent.jolokia.keystorePassword is required when dbagent.jolokia.ssl=true");
        assertThat(noSsl.problems()).containsExactly("dbagent.jolokia.keystore/keystorePassword are set but"
                + " dbagent.jolokia.ssl=false: set ssl=true to serve https, or remove them");
        assertThat(wrongPassword.problems()).singleElement().asString()
                .startsWith("dbagent.jolokia.keystore " + keyStore + " cannot be opened with dbagent.jolokia.keystorePassword")
                .doesNotContain("not-the-St0re-password");
    }

    @Test
    void aCompleteTlsConfigurationLoads() {
        AgentConfig config = jolokiaConfig().set("dbagent.jolokia.ssl", true)
                .set("dbagent.jolokia.keystore", keyStore.toString())
                .set("dbagent.jolokia.keystorePassword", STORE_PASSWORD).build();

        assertThat(config.jolokia().ssl()).isTrue();
        assertThat(config.jolokia().keystore()).contains(keyStore);
        assertThat(config.toString()).doesNotContain(STORE_PASSWORD);
    }

    @Test
    void productionRefusesPlainHttpOffTheLoopback() {
        InvalidConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(InvalidConfigException.class,
                () -> AgentConfig.builder().environment(Environment.PRODUCTION)
                        .database("main", d -> d.url("jdbc:postgresql://127.0.0.1:5432/app"))
                        .set("dbagent.jolokia.enabled", true).set("dbagent.jolokia.host", "0.0.0.0")
                        .set("dbagent.jolokia.auth", true).set("dbagent.jolokia.user", "operator")
                        .set("dbagent.jolokia.password", "j0lokia-Secret")
                        .set("dbagent.jolokia.policyFile", Credentials.policy().toString()).build());

        assertThat(e.problems()).containsExactly("dbagent.jolokia.ssl=false: Jolokia on 0.0.0.0 (not loopback) must"
                + " use https in production, or basic-auth passwords cross the network in clear text");
    }
}
