package dev.dbagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbagent.InvalidConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dbagent.http.* keys: defaults, and every refusal at load with the key named. */
class HttpConfigTest {
    private static final String URL = "jdbc:postgresql://db.example:5432/app";

    private static ConfigLoader loader(String environment, String... keyValues) {
        Properties p = new Properties();
        p.setProperty("dbagent.environment", environment);
        p.setProperty("dbagent.db.main.url", URL);
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return ConfigLoader.create().properties("test", p);
    }

    private static List<String> problems(String environment, String... keyValues) {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
                () -> loader(environment, keyValues).load());
        assertThat(e).as("expected the config to be rejected").isNotNull();
        return e.problems();
    }

    @Test
    void theEndpointIsOffByDefaultAndLocalOnlyWhenTurnedOn() {
        HttpSettings off = loader("production").load().http();
        assertThat(off.enabled()).isFalse();
        HttpSettings on = loader("development", "dbagent.http.enabled", "true").load().http();
        assertThat(on).isEqualTo(new HttpSettings(true, "127.0.0.1", 9464, false, Optional.empty(), Optional.empty(),
                true, 2, Duration.ofSeconds(5), Optional.empty(), Optional.empty(), "pkcs12"));
        assertThat(on.tls()).isFalse();
    }

    @Test
    void metricsWithoutAuthenticationAreRefusedInStagingAndProduction() {
        assertThat(problems("production", "dbagent.http.enabled", "true", "dbagent.http.auth", "false"))
                .containsExactly("dbagent.http.auth=false: /metrics of the management HTTP endpoint must require"
                        + " authentication in production");
        assertThat(problems("staging", "dbagent.http.enabled", "true", "dbagent.http.auth", "false"))
                .containsExactly("dbagent.http.auth=false: /metrics of the management HTTP endpoint must require"
                        + " authentication in staging");
    }

    @Test
    void authenticationNeedsAUserAndAPassword() {
        // production turns auth on by default
        assertThat(problems("production", "dbagent.http.enabled", "true")).containsExactly(
                "dbagent.http.user is required when dbagent.http.auth=true",
                "dbagent.http.password is required when dbagent.http.auth=true");
        HttpSettings ok = loader("production", "dbagent.http.enabled", "true", "dbagent.http.user", "prometheus",
                "dbagent.http.password", "scrape-pw").load().http();
        assertThat(ok.auth()).isTrue();
        assertThat(ok.password()).contains(Secret.of("scrape-pw"));
        assertThat(ok.toString()).doesNotContain("scrape-pw");
    }

    @Test
    void halfSetTlsIsRefusedEitherWay(@TempDir Path dir) throws Exception {
        Path keystore = Files.writeString(dir.resolve("ks.p12"), "not a keystore");
        assertThat(problems("development", "dbagent.http.enabled", "true", "dbagent.http.tls.keystore", keystore.toString()))
                .containsExactly("dbagent.http.tls.keystore is set but dbagent.http.tls.keystorePassword is not:"
                        + " set both for https, or neither");
        assertThat(problems("development", "dbagent.http.enabled", "true", "dbagent.http.tls.keystorePassword", "pw"))
                .containsExactly("dbagent.http.tls.keystorePassword is set but dbagent.http.tls.keystore is not:"
                        + " set both for https, or neither");
    }

    @Test
    void aKeystoreThatDoesNotOpenIsRefusedAtLoadWithoutShowingThePassword(@TempDir Path dir) throws Exception {
        Path garbage = Files.write(dir.resolve("ks.p12"), "not a keystore".getBytes(StandardCharsets.UTF_8));
        Path missing = dir.resolve("missing.p12");
        assertThat(problems("development", "dbagent.http.enabled", "true", "dbagent.http.tls.keystore",
                garbage.toString(), "dbagent.http.tls.keystorePassword", "tls-s3cret"))
                .singleElement().asString()
                .startsWith("dbagent.http.tls.keystore=" + garbage + ": cannot be opened as pkcs12 with"
                        + " dbagent.http.tls.keystorePassword (")
                .doesNotContain("tls-s3cret");
        assertThat(problems("development", "dbagent.http.enabled", "true", "dbagent.http.tls.keystore",
                missing.toString(), "dbagent.http.tls.keystorePassword", "tls-s3cret"))
                .containsExactly("dbagent.http.tls.keystore=" + missing + ": cannot be opened as pkcs12 with"
                        + " dbagent.http.tls.keystorePassword (NoSuchFileException)");
    }

    @Test
    void theEndpointNeedsAPortOfItsOwn() {
        assertThat(problems("development", "dbagent.http.enabled", "true", "dbagent.http.port", "8778",
                "dbagent.jolokia.enabled", "true", "dbagent.jolokia.port", "8778"))
                .containsExactly("dbagent.http.port=8778: must differ from dbagent.jolokia.port");
        assertThat(problems("development", "dbagent.http.enabled", "true", "dbagent.http.port", "70000",
                "dbagent.http.threads", "0"))
                .containsExactlyInAnyOrder("dbagent.http.port=70000: must be between 0 and 65535",
                        "dbagent.http.threads=0: must be between 1 and 64");
    }

    @Test
    void constructingAConfigDirectlyStillRefusesUnauthenticatedMetricsInProduction() {
        AgentConfig ok = AgentConfig.builder().environment(Environment.PRODUCTION)
                .database("main", d -> d.url(URL)).build();
        HttpSettings open = new HttpSettings(true, "0.0.0.0", 9464, false, Optional.empty(), Optional.empty(), true, 2,
                Duration.ofSeconds(5), Optional.empty(), Optional.empty(), "pkcs12");
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> new AgentConfig(ok.name(),
                ok.environment(), ok.databases(), ok.health(), ok.ops(), ok.jmxRemote(), ok.jolokia(), open));
        assertThat(e.problems()).containsExactly("dbagent.http.auth=false: /metrics of the management HTTP endpoint"
                + " must require authentication in production");
        assertThat(new AgentConfig(ok.name(), ok.environment(), ok.databases(), ok.health(), ok.ops(), ok.jmxRemote(),
                ok.jolokia()).http().enabled()).isFalse();
    }
}
