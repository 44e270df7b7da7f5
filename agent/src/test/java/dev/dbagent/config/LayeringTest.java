package dev.dbagent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sources are layered defaults → file → per-environment file → env vars → system properties → code. */
class LayeringTest {
    private static final String URL = "jdbc:postgresql://db.example:5432/app";

    @Test
    void laterLayersWinAndEarlierValuesSurvive(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("dbagent.properties");
        Files.writeString(base, String.join("\n",
                "dbagent.environment=staging",
                "dbagent.db.main.url=" + URL,
                "dbagent.db.main.pool.maxTotal=11",
                "dbagent.db.main.pool.minIdle=1",
                "dbagent.db.main.slowQueryMillis=700",
                "dbagent.db.main.retry.maxAttempts=4",
                "dbagent.db.main.connectTimeoutSeconds=7",
                "dbagent.health.saturationPercent=70"));
        Files.writeString(dir.resolve("dbagent-staging.properties"), String.join("\n",
                "dbagent.db.main.pool.maxTotal=12",
                "dbagent.db.main.slowQueryMillis=800",
                "dbagent.db.main.retry.maxAttempts=5",
                "dbagent.db.main.connectTimeoutSeconds=8"));
        // Files for other environments are ignored.
        Files.writeString(dir.resolve("dbagent-production.properties"), "dbagent.db.main.pool.minIdle=9\n");
        Properties sys = new Properties();
        sys.setProperty("dbagent.db.main.pool.maxTotal", "14");
        sys.setProperty("dbagent.db.main.retry.maxAttempts", "6");
        sys.setProperty("java.home", "/ignored/not/a/dbagent/key");
        Map<String, String> env = Map.of(
                "DBAGENT_DB_MAIN_POOL_MAXTOTAL", "13",
                "DBAGENT_DB_MAIN_SLOWQUERYMILLIS", "900",
                "DBAGENT_DB_MAIN_RETRY_MAXATTEMPTS", "5",
                "HOME", "/root");

        AgentConfig config = ConfigLoader.create().file(base).environmentVariables(env).systemProperties(sys)
                .builder()
                .database("main", d -> d.maxTotal(15))
                .build();

        DatabaseConfig main = config.database("MAIN").orElseThrow();
        assertThat(config.environment()).isEqualTo(Environment.STAGING);
        assertThat(main.pool().maxTotal()).as("code wins").isEqualTo(15);
        assertThat(main.retry().maxAttempts()).as("system properties over env vars").isEqualTo(6);
        assertThat(main.slowQueryThreshold()).as("env vars over the environment file").isEqualTo(Duration.ofMillis(900));
        assertThat(main.connection().connectTimeout()).as("environment file over base file").isEqualTo(Duration.ofSeconds(8));
        assertThat(main.pool().minIdle()).as("base file over defaults").isEqualTo(1);
        assertThat(config.health().saturationPercent()).isEqualTo(70);
        assertThat(main.pool().maxWait()).as("staging default").isEqualTo(Duration.ofSeconds(5));
        assertThat(main.connection().sslMode()).as("staging default").isEqualTo(SslMode.REQUIRE);
    }

    @Test
    void environmentChosenByAHigherLayerSelectsTheEnvironmentFile(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("app.properties");
        Files.writeString(base, "dbagent.environment=development\ndbagent.db.main.url=" + URL + "\n");
        Files.writeString(dir.resolve("app-test.properties"), "dbagent.db.main.pool.maxTotal=3\n");
        AgentConfig config = ConfigLoader.create().file(base)
                .environmentVariables(Map.of("DBAGENT_ENVIRONMENT", "TEST")).load();
        assertThat(config.environment()).isEqualTo(Environment.TEST);
        assertThat(config.databases().get(0).pool().maxTotal()).isEqualTo(3);
    }

    @Test
    void environmentsHaveTheirOwnDefaults() {
        AgentConfig dev = minimal(Environment.DEVELOPMENT);
        AgentConfig prod = minimal(Environment.PRODUCTION);
        PoolSettings devPool = dev.databases().get(0).pool();
        PoolSettings prodPool = prod.databases().get(0).pool();
        assertThat(devPool.maxTotal()).isEqualTo(5);
        assertThat(prodPool.maxTotal()).isEqualTo(20);
        assertThat(prodPool.minIdle()).isEqualTo(5);
        assertThat(dev.ops().resetEnabled()).isTrue();
        assertThat(prod.ops().resetEnabled()).isFalse();
        assertThat(dev.jmxRemote().auth()).isFalse();
        assertThat(prod.jmxRemote().auth()).isTrue();
        assertThat(prod.jolokia().auth()).isTrue();
        assertThat(dev.databases().get(0).slowQueryThreshold()).isEqualTo(Duration.ofMillis(500));
        assertThat(prod.databases().get(0).slowQueryThreshold()).isEqualTo(Duration.ofSeconds(1));
        assertThat(dev.databases().get(0).connection().currentSchema()).isEqualTo("public");
        assertThat(dev.jmxRemote().host()).isEqualTo("127.0.0.1");
        assertThat(dev.jolokia().host()).isEqualTo("127.0.0.1");
        assertThat(dev.name()).isEqualTo("dbagent");
        assertThat(dev.databases().get(0).migrate().onStart()).isTrue();
        assertThat(prod.databases().get(0).migrate().onStart()).isFalse();
        assertThat(dev.databases().get(0).migrate().changelog()).isEmpty();
    }

    @Test
    void layerSpecificBreakerKeysOverrideTheSharedOnes() {
        AgentConfig config = AgentConfig.builder().environment(Environment.TEST)
                .database("main", d -> d.url(URL)
                        .set("breaker.failureRateThreshold", 40)
                        .set("breaker.waitOpenMillis", 1000)
                        .set("breaker.pool.waitOpenMillis", 250)
                        .set("breaker.service.failureRateThreshold", 60))
                .build();
        DatabaseConfig main = config.databases().get(0);
        assertThat(main.poolBreaker()).isEqualTo(new BreakerSettings(40, 5, 20, Duration.ofMillis(250), 2, Duration.ofSeconds(5)));
        assertThat(main.serviceBreaker()).isEqualTo(new BreakerSettings(60, 5, 20, Duration.ofSeconds(1), 2, Duration.ofSeconds(5)));
    }

    @Test
    void replicasInheritPrimaryCredentialsUnlessOverridden() {
        Properties p = new Properties();
        p.setProperty("dbagent.environment", "development");
        p.setProperty("dbagent.db.main.url", URL);
        p.setProperty("dbagent.db.main.user", "app");
        p.setProperty("dbagent.db.main.password", "primary-pw");
        p.setProperty("dbagent.db.main.replicas.1.url", "jdbc:postgresql://r1/app");
        p.setProperty("dbagent.db.main.replicas.0.url", "jdbc:postgresql://r0/app");
        p.setProperty("dbagent.db.main.replicas.1.user", "reader");
        p.setProperty("dbagent.db.main.replicas.1.password", "reader-pw");
        DatabaseConfig main = ConfigLoader.create().properties("p", p).load().databases().get(0);
        assertThat(main.replicas()).extracting(ReplicaConfig::role).containsExactly("replica-0", "replica-1");
        ReplicaConfig r0 = main.replicas().get(0);
        ReplicaConfig r1 = main.replicas().get(1);
        assertThat(r0.url()).isEqualTo("jdbc:postgresql://r0/app");
        assertThat(r0.user()).contains("app");
        assertThat(r0.password().orElseThrow().reveal()).isEqualTo("primary-pw");
        assertThat(r1.user()).contains("reader");
        assertThat(r1.password().orElseThrow().reveal()).isEqualTo("reader-pw");
    }

    @Test
    void environmentVariablesMapToKeysIncludingReplicasAndUnderscoredNames() {
        Map<String, String> env = Map.of(
                "DBAGENT_ENVIRONMENT", "development",
                "DBAGENT_NAME", "billing",
                "DBAGENT_JOLOKIA_PORT", "8779",
                "DBAGENT_DB_ORDERS_RO_URL", URL,
                "DBAGENT_DB_ORDERS_RO_REPLICAS_2_URL", "jdbc:postgresql://r2/app",
                "DBAGENT_DB_ORDERS_RO_BREAKER_POOL_MINIMUMCALLS", "7",
                "DBAGENT_DB_ORDERS_RO_BREAKER_MINIMUMCALLS", "9");
        AgentConfig config = ConfigLoader.create().environmentVariables(env).load();
        DatabaseConfig orders = config.database("orders_ro").orElseThrow();
        assertThat(config.name()).isEqualTo("billing");
        assertThat(config.jolokia().port()).isEqualTo(8779);
        assertThat(orders.name()).isEqualTo("orders_ro");
        assertThat(orders.replicas()).singleElement().satisfies(r -> {
            assertThat(r.index()).isEqualTo(2);
            assertThat(r.url()).isEqualTo("jdbc:postgresql://r2/app");
        });
        assertThat(orders.poolBreaker().minimumCalls()).isEqualTo(7);
        assertThat(orders.serviceBreaker().minimumCalls()).isEqualTo(9);
    }

    @Test
    void keysAndDatabaseNamesAreCaseInsensitiveAcrossLayers() {
        Properties p = new Properties();
        p.setProperty("dbagent.environment", "Production");
        p.setProperty("dbagent.db.Main.url", URL);
        p.setProperty("dbagent.db.Main.pool.maxtotal", "30");
        AgentConfig config = ConfigLoader.create().properties("p", p)
                .environmentVariables(Map.of("DBAGENT_DB_MAIN_POOL_MINIDLE", "3")).load();
        assertThat(config.environment()).isEqualTo(Environment.PRODUCTION);
        assertThat(config.databases()).singleElement().satisfies(db -> {
            assertThat(db.name()).isEqualTo("Main");
            assertThat(db.pool().maxTotal()).isEqualTo(30);
            assertThat(db.pool().minIdle()).isEqualTo(3);
        });
    }

    @Test
    void builderValuesOverrideADatabaseFromAFile() {
        Properties p = new Properties();
        p.setProperty("dbagent.environment", "test");
        p.setProperty("dbagent.db.main.url", URL);
        AgentConfig config = ConfigLoader.create().properties("p", p).builder()
                .database("MAIN", d -> d.url("jdbc:postgresql://other/app").minIdle(2).maxWait(Duration.ofSeconds(3)))
                .database("audit", d -> d.url("jdbc:postgresql://audit/app"))
                .build();
        assertThat(config.databases()).extracting(DatabaseConfig::name).containsExactly("audit", "main");
        DatabaseConfig main = config.database("main").orElseThrow();
        assertThat(main.url()).isEqualTo("jdbc:postgresql://other/app");
        assertThat(main.pool().minIdle()).isEqualTo(2);
        assertThat(main.pool().maxWait()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.database("nope")).isEqualTo(Optional.empty());
    }

    @Test
    void environmentNamesParseCaseInsensitively() {
        assertThat(Environment.parse("development")).contains(Environment.DEVELOPMENT);
        assertThat(Environment.parse(" TEST ")).contains(Environment.TEST);
        assertThat(Environment.parse("Staging")).contains(Environment.STAGING);
        assertThat(Environment.parse("production")).contains(Environment.PRODUCTION);
        assertThat(Environment.parse("prod")).isEmpty();
        assertThat(Environment.parse(null)).isEmpty();
        assertThat(Environment.PRODUCTION.isProtected()).isTrue();
        assertThat(Environment.TEST.isProtected()).isFalse();
    }

    @Test
    void everyKeyHasAnEnvironmentVariableThatMapsBackToIt() {
        for (Keys.Def d : Keys.AGENT) {
            assertThat(Keys.keyForEnvVar(Keys.envVarFor(d.name()))).contains(d.name());
        }
        for (String db : java.util.List.of("main", "orders_ro", "pool")) {
            for (Keys.Def d : Keys.DATABASE) {
                String key = Keys.dbKey(db, d.name());
                assertThat(Keys.keyForEnvVar(Keys.envVarFor(key))).as(key).contains(key);
            }
            for (Keys.Def d : Keys.REPLICA) {
                String key = Keys.replicaKey(db, 3, d.name());
                assertThat(Keys.keyForEnvVar(Keys.envVarFor(key))).as(key).contains(key);
            }
        }
        assertThat(Keys.keyForEnvVar("DBAGENT_DB__URL")).isEmpty();
        assertThat(Keys.keyForEnvVar("DBAGENT_NOPE")).isEmpty();
    }

    private static AgentConfig minimal(Environment env) {
        return AgentConfig.builder().environment(env).database("main", d -> d.url(URL)).build();
    }
}
