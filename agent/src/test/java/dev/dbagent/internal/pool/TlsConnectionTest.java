package dev.dbagent.internal.pool;

import dev.dbagent.Keytool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.config.ConnectionSettings;
import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.config.SslMode;
import dev.dbagent.ops.Operations;
import dev.dbagent.config.Environment;
import dev.dbagent.testing.EmbeddedPostgres;
import dev.dbagent.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS end to end: a PostgreSQL that accepts TLS connections only, with a certificate authority
 * and a server certificate generated for this test by the JDK's keytool. Pools and operations
 * connect through the one connection factory with {@code verify-full}; a wrong CA or a host name
 * the certificate does not name is refused with a clear error.
 */
class TlsConnectionTest {
    private static final String PASS = "changeit";

    @TempDir
    static Path dir;
    private static EmbeddedPostgres pg;
    private static Path ca;
    private static Path otherCa;

    @BeforeAll
    static void server() throws Exception {
        ca = newCa("ca", "dbagent-test-ca");
        otherCa = newCa("other", "someone-elses-ca");
        // the server certificate names localhost only, so 127.0.0.1 fails host-name verification
        Keytool.run("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-validity", "2", "-keystore", dir.resolve("server.p12").toString(), "-storetype", "PKCS12",
                "-storepass", PASS);
        Keytool.run("-certreq", "-alias", "server", "-keystore", dir.resolve("server.p12").toString(), "-storepass", PASS,
                "-file", dir.resolve("server.csr").toString());
        Keytool.run("-gencert", "-alias", "ca", "-keystore", dir.resolve("ca.p12").toString(), "-storepass", PASS,
                "-infile", dir.resolve("server.csr").toString(), "-outfile", dir.resolve("server.crt").toString(),
                "-ext", "san=dns:localhost", "-rfc", "-validity", "2");
        Path key = dir.resolve("server.key");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            ks.load(in, PASS.toCharArray());
        }
        PrivateKey pk = (PrivateKey) ks.getKey("server", PASS.toCharArray());
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pk.getEncoded())
                + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        pg = EmbeddedPostgres.builder().tls(dir.resolve("server.crt"), key).start();
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    private static Path newCa(String alias, String cn) throws Exception {
        Path store = dir.resolve(alias + ".p12");
        Keytool.run("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + cn,
                "-ext", "bc:c", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", PASS);
        Path pem = dir.resolve(alias + ".pem");
        Keytool.run("-exportcert", "-alias", "ca", "-keystore", store.toString(), "-storepass", PASS, "-rfc",
                "-file", pem.toString());
        return pem;
    }

    private static DatabaseConfig config(String host, Path rootCert) {
        TestDb c = new TestDb("jdbc:postgresql://" + host + ":" + pg.port() + "/postgres", pg.user(), pg.password());
        c.maxWait = Duration.ofSeconds(10); // a cold TLS handshake plus SCRAM on a busy machine
        DatabaseConfig base = c.build();
        return new DatabaseConfig(base.name(), base.url(), base.user(), base.password(), base.replicas(), base.pool(),
                new ConnectionSettings(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(5), true,
                        SslMode.VERIFY_FULL, "public", java.util.Optional.of(rootCert)),
                base.replicaRouting(), base.poolBreaker(), base.serviceBreaker(), base.retry(),
                base.slowQueryThreshold(), base.slowQueryBuffer(), base.migrate());
    }

    @Test
    void poolAndOperationsConnectWithVerifyFullAgainstTheGeneratedCa() throws Exception {
        DatabaseConfig db = config("localhost", ca);
        try (ConnectionManager manager = new ConnectionManager(List.of(db), new MutableClock(), "tls")) {
            try (Connection c = manager.router("main").primary().acquire(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
                assertThat(rs.getString(2)).startsWith("TLSv1.");
            }
        }
        // the server refuses every connection without TLS: operations reach it only through the factory's settings
        Operations ops = Operations.builder().jdbcUrl(db.url()).user(pg.user()).password(pg.password())
                .connection(db.connection()).targetSchema("app").changelog("dev/dbagent/embedding/ledger.xml")
                .environment(Environment.TEST).build();
        Operations.MigrationProbe probe = ops.probeMigrations();
        assertThat(probe.error()).isEmpty();
        assertThat(probe.reachable()).isTrue();
        Operations plain = Operations.builder().jdbcUrl(db.url()).user(pg.user()).password(pg.password())
                .connection(new ConnectionSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5),
                        true, SslMode.DISABLE, "public"))
                .targetSchema("app").changelog("dev/dbagent/embedding/ledger.xml").environment(Environment.TEST).build();
        Operations.MigrationProbe refused = plain.probeMigrations();
        assertThat(refused.reachable()).isFalse();
        assertThat(refused.error()).contains("no encryption");
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedClearly() {
        try (ConnectionManager manager = new ConnectionManager(List.of(config("localhost", otherCa)),
                new MutableClock(), "tls")) {
            assertThatThrownBy(() -> manager.router("main").primary().acquire())
                    .isInstanceOf(SQLException.class)
                    .hasMessageStartingWith("cannot connect to database 'main' (primary, jdbc:postgresql://localhost:")
                    .hasMessageContaining("SSL error")
                    .satisfies(e -> assertThat(Failures.sqlState(e)).startsWith("08"));
        }
    }

    @Test
    void aHostNameTheCertificateDoesNotNameIsRefusedClearly() {
        try (ConnectionManager manager = new ConnectionManager(List.of(config("127.0.0.1", ca)),
                new MutableClock(), "tls")) {
            assertThatThrownBy(() -> manager.router("main").primary().acquire())
                    .isInstanceOf(SQLException.class)
                    .hasMessageStartingWith("cannot connect to database 'main' (primary, jdbc:postgresql://127.0.0.1:")
                    .hasMessageContaining("127.0.0.1 could not be verified");
        }
    }
}
