package dev.dbagent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

/** The example configs in jmx-config/ load with their env: references supplied. */
class ExampleConfigsTest {
    private static final Map<String, String> ENV = Map.of(
            "CIVIC_DB_PASSWORD", "app-pw",
            "CIVIC_READER_PASSWORD", "reader-pw",
            "AUDIT_DB_PASSWORD", "audit-pw",
            "CIVIC_JOLOKIA_PASSWORD", "jolokia-pw");

    @TempDir
    static Path etc;

    /**
     * The examples name files under /etc/dbagent, which loading checks (what the remote doors
     * would refuse at start-up, loading refuses); the environment points them at real copies.
     */
    private static AgentConfig load(String name) throws Exception {
        Path password = etc.resolve("jmxremote.password");
        Files.writeString(password, "monitor m0nitor-pw\noperator 0perator-pw\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Path access = Files.copy(jmxConfig().resolve("jmxremote.access"), etc.resolve("jmxremote.access"),
                StandardCopyOption.REPLACE_EXISTING);
        Map<String, String> env = new HashMap<>(ENV);
        env.put("DBAGENT_JMX_REMOTE_PASSWORDFILE", password.toString());
        env.put("DBAGENT_JMX_REMOTE_ACCESSFILE", access.toString());
        env.put("DBAGENT_JOLOKIA_POLICYFILE", jmxConfig().resolve("jolokia-access.xml").toString());
        return ConfigLoader.create().file(jmxConfig().resolve(name)).environmentVariables(env).load();
    }

    private static Path jmxConfig() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("jmx-config"))) {
                return dir.resolve("jmx-config");
            }
        }
        throw new IllegalStateException("jmx-config/ not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void developmentExampleLoads() throws Exception {
        AgentConfig c = load("development.properties");
        assertThat(c.environment()).isEqualTo(Environment.DEVELOPMENT);
        assertThat(c.name()).isEqualTo("civic-dev");
        assertThat(c.ops().resetEnabled()).isTrue();
        assertThat(c.jolokia().enabled()).isTrue();
        assertThat(c.jolokia().auth()).isFalse();
        DatabaseConfig main = c.database("main").orElseThrow();
        assertThat(main.password().orElseThrow().reveal()).isEqualTo("app-pw");
        assertThat(main.pool().maxTotal()).isEqualTo(5);
        assertThat(main.slowQueryThreshold()).isEqualTo(Duration.ofMillis(500));
        assertThat(main.connection().sslMode()).isEqualTo(SslMode.DISABLE);
    }

    @Test
    void testExampleLoads() throws Exception {
        AgentConfig c = load("test.properties");
        assertThat(c.environment()).isEqualTo(Environment.TEST);
        assertThat(c.jmxRemote().enabled()).isTrue();
        assertThat(c.jmxRemote().port()).isZero();
        assertThat(c.ops().resetTokenTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.database("main").orElseThrow().pool().maxTotal()).isEqualTo(4);
    }

    @Test
    void stagingExampleLoads() throws Exception {
        AgentConfig c = load("staging.properties");
        assertThat(c.environment()).isEqualTo(Environment.STAGING);
        assertThat(c.ops().resetEnabled()).isFalse();
        assertThat(c.jmxRemote().auth()).isTrue();
        assertThat(c.jmxRemote().passwordFile()).contains(etc.resolve("jmxremote.password"));
        assertThat(c.jolokia().password().orElseThrow().reveal()).isEqualTo("jolokia-pw");
        DatabaseConfig main = c.database("main").orElseThrow();
        assertThat(main.replicas()).singleElement()
                .satisfies(r -> assertThat(r.password().orElseThrow().reveal()).isEqualTo("app-pw"));
    }

    @Test
    void productionExampleLoads() throws Exception {
        AgentConfig c = load("production.properties");
        assertThat(c.environment()).isEqualTo(Environment.PRODUCTION);
        assertThat(c.databases()).extracting(DatabaseConfig::name).containsExactly("audit", "main");
        DatabaseConfig main = c.database("main").orElseThrow();
        assertThat(main.pool().maxTotal()).isEqualTo(30);
        assertThat(main.connection().sslMode()).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(main.replicaRouting().balance()).isEqualTo(ReplicaBalance.LEAST_BUSY);
        assertThat(main.replicas()).extracting(r -> r.user().orElseThrow()).containsExactly("civic_app", "civic_reader");
        assertThat(main.replicas().get(1).password().orElseThrow().reveal()).isEqualTo("reader-pw");
        assertThat(main.poolBreaker().waitOpen()).isEqualTo(Duration.ofSeconds(10));
        assertThat(main.serviceBreaker().waitOpen()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.database("audit").orElseThrow().pool().maxTotal()).isEqualTo(5);
        assertThat(c.toString()).doesNotContain("app-pw", "reader-pw", "audit-pw", "jolokia-pw");
    }
}
