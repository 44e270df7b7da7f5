package dev.dbagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Passwords resolve from literals, env: and file: references and never show in toString. */
class SecretsTest {
    @Test
    void secretToStringIsMasked() {
        Secret s = Secret.of("hunter2");
        assertThat(s).hasToString("****");
        assertThat(s.reveal()).isEqualTo("hunter2");
        assertThat(s).isEqualTo(Secret.of("hunter2")).isNotEqualTo(Secret.of("hunter3"));
    }

    @Test
    void referencesResolveFromTheGivenEnvironmentAndFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jolokia.pw");
        Files.writeString(file, "from-file-pw\n");
        Properties p = new Properties();
        p.setProperty("dbagent.environment", "production");
        p.setProperty("dbagent.db.main.url", "jdbc:postgresql://db/app");
        p.setProperty("dbagent.db.main.user", "app");
        p.setProperty("dbagent.db.main.password", "env:DBAGENT_MAIN_PW");
        p.setProperty("dbagent.db.main.replicas.0.url", "jdbc:postgresql://r0/app");
        p.setProperty("dbagent.db.main.replicas.0.password", "literal-replica-pw");
        p.setProperty("dbagent.jolokia.enabled", "true");
        p.setProperty("dbagent.jolokia.user", "ops");
        p.setProperty("dbagent.jolokia.password", "file:" + file);
        p.setProperty("dbagent.jolokia.policyFile", Path.of("..", "jmx-config", "jolokia-access.xml").toString());
        // DBAGENT_MAIN_PW is not a key, but an env: reference names it, so it is not "unknown".
        AgentConfig config = ConfigLoader.create().properties("p", p)
                .environmentVariables(Map.of("DBAGENT_MAIN_PW", "from-env-pw")).load();
        DatabaseConfig main = config.databases().get(0);
        assertThat(main.password().orElseThrow().reveal()).isEqualTo("from-env-pw");
        assertThat(main.replicas().get(0).password().orElseThrow().reveal()).isEqualTo("literal-replica-pw");
        assertThat(config.jolokia().password().orElseThrow().reveal()).isEqualTo("from-file-pw");

        String text = config.toString();
        assertThat(text).doesNotContain("from-env-pw", "literal-replica-pw", "from-file-pw")
                .contains("password=****");
        assertThat(main.toString()).doesNotContain("from-env-pw", "literal-replica-pw");
        assertThat(config.jolokia().toString()).doesNotContain("from-file-pw");
    }

    @Test
    void referencedSecretsRememberTheirSourceAndReadItAgain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("db.pw");
        Files.writeString(file, "first-pw\n");
        Map<String, String> env = new java.util.HashMap<>(Map.of("REPLICA_PW", "env-first"));
        AgentConfig config = ConfigLoader.create().properties("p", props(
                "dbagent.environment", "development",
                "dbagent.db.main.url", "jdbc:postgresql://db/app",
                "dbagent.db.main.password", "file:" + file,
                "dbagent.db.main.replicas.0.url", "jdbc:postgresql://r0/app",
                "dbagent.db.main.replicas.0.password", "env:REPLICA_PW",
                "dbagent.db.other.url", "jdbc:postgresql://db/other",
                "dbagent.db.other.password", "literal-pw"))
                .environmentVariables(env).load();
        Secret fromFile = config.database("main").orElseThrow().password().orElseThrow();
        Secret fromEnv = config.database("main").orElseThrow().replicas().get(0).password().orElseThrow();
        Secret literal = config.database("other").orElseThrow().password().orElseThrow();
        assertThat(fromFile.source()).contains("file:" + file);
        assertThat(fromEnv.source()).contains("env:REPLICA_PW");
        assertThat(literal.source()).isEmpty();

        Files.writeString(file, "second-pw\n");
        env.put("REPLICA_PW", "env-second");
        assertThat(fromFile.reread().reveal()).isEqualTo("second-pw");
        assertThat(fromFile.reveal()).isEqualTo("first-pw"); // the secret itself never changes
        assertThat(fromFile.reread().source()).contains("file:" + file);
        // env: reads the environment the configuration was loaded from: a process's own does not change
        assertThat(fromEnv.reread().reveal()).isEqualTo("env-first");

        assertThatThrownBy(literal::reread).isInstanceOf(IllegalStateException.class)
                .hasMessage("the secret is configured literally; only an env: or file: reference can be read again");
        Files.delete(file);
        assertThatThrownBy(fromFile::reread).isInstanceOf(IllegalStateException.class)
                .hasMessage("file " + file + " (file:" + file + ") cannot be read (NoSuchFileException)");
    }

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void passwordsInUrlsAreMaskedInToString() {
        AgentConfig config = AgentConfig.builder().environment(Environment.DEVELOPMENT)
                .database("main", d -> d.url("jdbc:postgresql://db/app?user=app&password=url-pw&ssl=true")
                        .password(Secret.of("code-pw"))
                        .replica("jdbc:postgresql://r0/app?password=replica-pw"))
                .build();
        DatabaseConfig main = config.databases().get(0);
        assertThat(main.url()).contains("url-pw");
        assertThat(main.maskedUrl()).isEqualTo("jdbc:postgresql://db/app?user=app&password=****&ssl=true");
        assertThat(config.toString()).doesNotContain("url-pw", "replica-pw", "code-pw")
                .contains("jdbc:postgresql://db/app?user=app&password=****&ssl=true", "jdbc:postgresql://r0/app?password=****");
    }

    @Test
    void jdbcUrlMaskingHidesOnlyCredentials() {
        assertThat(JdbcUrls.mask("jdbc:postgresql://h:5432/db")).isEqualTo("jdbc:postgresql://h:5432/db");
        assertThat(JdbcUrls.mask("jdbc:postgresql://h/db?password=a&sslpassword=b;x=1"))
                .isEqualTo("jdbc:postgresql://h/db?password=****&sslpassword=****;x=1");
        assertThat(JdbcUrls.mask("jdbc:postgresql://u:p%40ss@h:5432/db?PASSWORD=x"))
                .isEqualTo("jdbc:postgresql://u:****@h:5432/db?PASSWORD=****");
        assertThat(JdbcUrls.mask(null)).isNull();
        assertThat(JdbcUrls.isPostgres("jdbc:postgresql://h/db")).isTrue();
        assertThat(JdbcUrls.isPostgres("jdbc:postgresql://")).isFalse();
        assertThat(JdbcUrls.isPostgres("jdbc:mysql://h/db")).isFalse();
    }

    @Test
    void aUrlThatCannotBeTakenApartIsHiddenWheneverItMayHoldASecret() {
        for (String bad : new String[] {
                "jdbc:postgresql:password=hunter2",
                "jdbc:postgresql://u:hun/ter2@h/db",
                "jdbc:postgresql://h/db password=hunter2",
                "jdbc:postgresql://h:99999/db?user=a#password=hunter2"}) {
            assertThat(JdbcUrls.mask(bad)).as(bad).doesNotContain("hunter2", "ter2")
                    .contains("malformed URL of " + bad.length() + " characters, hidden");
        }
        // nothing secret in it: shown as written, so the operator can see what is wrong
        assertThat(JdbcUrls.mask("jdbc:postgresql:/no-host")).isEqualTo("jdbc:postgresql:/no-host");
        assertThat(JdbcUrls.maskIn("cannot use 'jdbc:postgresql:password=hunter2' (hunter2)",
                "jdbc:postgresql:password=hunter2", "hunter2")).doesNotContain("hunter2");
    }
}
