package dev.dbagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dbagent.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each bad configuration is rejected with exactly the expected problem messages. */
class InvalidConfigTest {
    private static final String URL = "jdbc:postgresql://db.example:5432/app";

    /** A valid development config plus the given key/value pairs (a null value removes the key). */
    private static List<String> problems(String... keyValues) {
        return problems(Map.of(), keyValues);
    }

    private static List<String> problems(Map<String, String> env, String... keyValues) {
        Properties p = new Properties();
        p.setProperty("dbagent.environment", "development");
        p.setProperty("dbagent.db.main.url", URL);
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) {
                p.remove(keyValues[i]);
            } else {
                p.setProperty(keyValues[i], keyValues[i + 1]);
            }
        }
        return problemsOf(ConfigLoader.create().properties("test", p).environmentVariables(env).builder());
    }

    private static List<String> problemsOf(AgentConfig.Builder builder) {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, builder::build);
        assertThat(e).as("expected the config to be rejected").isNotNull();
        assertThat(e.getMessage()).startsWith("invalid dbagent configuration (" + e.problems().size() + " problem");
        return e.problems();
    }

    @Test
    void missingUrlIsReported() {
        assertThat(problems("dbagent.db.main.url", null, "dbagent.db.main.user", "app"))
                .containsExactly("dbagent.db.main.url is required");
    }

    @Test
    void nonPostgresUrlIsReportedMasked() {
        assertThat(problems("dbagent.db.main.url", "jdbc:mysql://h/app?user=a&password=hunter2"))
                .containsExactly("dbagent.db.main.url=jdbc:mysql://h/app?user=a&password=****: "
                        + "must be a PostgreSQL JDBC URL (jdbc:postgresql://...)");
    }

    @Test
    void zeroMaxTotalIsOutOfRange() {
        assertThat(problems("dbagent.db.main.pool.maxTotal", "0"))
                .containsExactly("dbagent.db.main.pool.maxTotal=0: must be between 1 and 1000");
    }

    @Test
    void negativeSizesAndWaitsAreOutOfRange() {
        assertThat(problems("dbagent.db.main.pool.maxWaitMillis", "-5", "dbagent.db.main.slowQueryBuffer", "-1",
                "dbagent.db.main.pool.minIdle", "-2"))
                .containsExactly("dbagent.db.main.pool.minIdle=-2: must be between 0 and 1000",
                        "dbagent.db.main.pool.maxWaitMillis=-5: must be between 1 and 600000",
                        "dbagent.db.main.slowQueryBuffer=-1: must be between 1 and 100000");
    }

    @Test
    void minIdleAboveMaxTotalIsReported() {
        assertThat(problems("dbagent.db.main.pool.maxTotal", "4", "dbagent.db.main.pool.minIdle", "8"))
                .containsExactly("dbagent.db.main.pool.minIdle=8: must not exceed dbagent.db.main.pool.maxTotal (4)");
    }

    @Test
    void timeoutsOutOfRangeAreReported() {
        assertThat(problems("dbagent.db.main.connectTimeoutSeconds", "301", "dbagent.db.main.socketTimeoutSeconds", "-1",
                "dbagent.db.main.pool.validationTimeoutSeconds", "0", "dbagent.health.intervalSeconds", "0"))
                .containsExactly("dbagent.health.intervalSeconds=0: must be between 1 and 3600",
                        "dbagent.db.main.pool.validationTimeoutSeconds=0: must be between 1 and 60",
                        "dbagent.db.main.connectTimeoutSeconds=301: must be between 1 and 300",
                        "dbagent.db.main.socketTimeoutSeconds=-1: must be between 0 and 3600");
    }

    @Test
    void nonNumbersBooleansAndChoicesAreReported() {
        assertThat(problems("dbagent.db.main.pool.maxTotal", "ten", "dbagent.db.main.tcpKeepAlive", "yes",
                "dbagent.db.main.sslmode", "strict", "dbagent.db.main.replica.balance", "random"))
                .containsExactly("dbagent.db.main.pool.maxTotal=ten: must be an integer",
                        "dbagent.db.main.tcpKeepAlive=yes: must be true or false",
                        "dbagent.db.main.sslmode=strict: must be one of disable, allow, prefer, require, verify-ca, verify-full",
                        "dbagent.db.main.replica.balance=random: must be one of round-robin, least-busy");
    }

    @Test
    void unknownEnvironmentIsReported() {
        assertThat(problems("dbagent.environment", "prod"))
                .containsExactly("dbagent.environment=prod: must be one of development, test, staging, production");
    }

    @Test
    void missingEnvironmentIsReported() {
        assertThat(problems("dbagent.environment", null))
                .containsExactly("dbagent.environment is required (one of development, test, staging, production)");
    }

    @Test
    void unknownKeySuggestsTheNearestValidKey() {
        assertThat(problems("dbagent.db.main.pool.maxTotl", "10", "dbagent.jolokia.prot", "8080"))
                .containsExactly("unknown key dbagent.db.main.pool.maxTotl - did you mean dbagent.db.main.pool.maxTotal?",
                        "unknown key dbagent.jolokia.prot - did you mean dbagent.jolokia.port?");
    }

    @Test
    void unknownKeyFarFromAnyValidKeyHasNoSuggestion() {
        assertThat(problems("dbagent.cache.enabled", "true", "spring.datasource.url", URL))
                .containsExactly("unknown key dbagent.cache.enabled", "unknown key spring.datasource.url");
    }

    @Test
    void unknownEnvironmentVariableSuggestsTheNearestValidOne() {
        assertThat(problems(Map.of("DBAGENT_DB_MAIN_POOL_MAXTOTL", "3", "PATH", "/bin")))
                .containsExactly("unknown environment variable DBAGENT_DB_MAIN_POOL_MAXTOTL"
                        + " - did you mean DBAGENT_DB_MAIN_POOL_MAXTOTAL?");
    }

    @Test
    void replicaWithoutPrimaryIsReported() {
        assertThat(problems("dbagent.db.reports.replicas.0.url", "jdbc:postgresql://replica/reports"))
                .containsExactly("dbagent.db.reports.url is required: database reports has replicas "
                        + "(dbagent.db.reports.replicas.0.url) but no primary");
    }

    @Test
    void replicaWithoutUrlIsReported() {
        assertThat(problems("dbagent.db.main.replicas.1.user", "reader"))
                .containsExactly("dbagent.db.main.replicas.1.url is required: replica 1 of database main has other keys but no url");
    }

    @Test
    void sameDatabaseAddedTwiceInCodeIsReportedCaseInsensitively() {
        AgentConfig.Builder b = AgentConfig.builder().environment(Environment.DEVELOPMENT)
                .database("main", d -> d.url(URL))
                .database("MAIN", d -> d.url(URL))
                .database("main", d -> d.url(URL));
        assertThat(problemsOf(b)).containsExactly(
                "duplicate database name MAIN: main is already defined (names are case-insensitive)",
                "duplicate database name main: main is already defined (names are case-insensitive)");
    }

    @Test
    void twoSpellingsOfOneDatabaseInOneFileAreReported() {
        assertThat(problems("dbagent.db.Main.user", "app"))
                .containsExactly("duplicate database name main: Main is already defined (names are case-insensitive)");
    }

    @Test
    void resetCannotBeEnabledInProductionOrStaging() {
        for (String env : List.of("production", "staging")) {
            assertThat(problems("dbagent.environment", env, "dbagent.ops.resetEnabled", "true"))
                    .containsExactly("dbagent.ops.resetEnabled=true: reset cannot be enabled in " + env);
        }
    }

    @Test
    void remoteJmxWithoutAuthIsRefusedInProduction() {
        assertThat(problems("dbagent.environment", "production", "dbagent.jmx.remote.enabled", "true",
                "dbagent.jmx.remote.auth", "false"))
                .containsExactly("dbagent.jmx.remote.auth=false: remote JMX must require authentication in production");
    }

    @Test
    void jolokiaWithoutAuthIsRefusedInStaging() {
        assertThat(problems("dbagent.environment", "staging", "dbagent.jolokia.enabled", "true",
                "dbagent.jolokia.auth", "false"))
                .containsExactly("dbagent.jolokia.auth=false: Jolokia must require authentication in staging");
    }

    @Test
    void authenticationNeedsItsCredentials() {
        // Production requires auth by default, so enabling both without credentials is incomplete.
        assertThat(problems("dbagent.environment", "production", "dbagent.jmx.remote.enabled", "true",
                "dbagent.jolokia.enabled", "true"))
                .containsExactly("dbagent.jmx.remote.passwordFile is required when dbagent.jmx.remote.auth=true",
                        "dbagent.jolokia.user is required when dbagent.jolokia.auth=true"
                                + " (or set dbagent.jmx.remote.passwordFile and accessFile to share their users)",
                        "dbagent.jolokia.password is required when dbagent.jolokia.auth=true"
                                + " (or set dbagent.jmx.remote.passwordFile and accessFile to share their users)");
    }

    @Test
    void invalidPortsAreReported() {
        assertThat(problems("dbagent.jmx.remote.port", "70000", "dbagent.jolokia.port", "-1"))
                .containsExactly("dbagent.jmx.remote.port=70000: must be between 0 and 65535",
                        "dbagent.jolokia.port=-1: must be between 0 and 65535");
    }

    @Test
    void jmxAndJolokiaCannotShareAPort() {
        assertThat(problems("dbagent.jmx.remote.enabled", "true", "dbagent.jolokia.enabled", "true",
                "dbagent.jmx.remote.port", "9999", "dbagent.jolokia.port", "9999"))
                .containsExactly("dbagent.jolokia.port=9999: must differ from dbagent.jmx.remote.port (9999)");
    }

    @Test
    void badBreakerThresholdsAreReported() {
        assertThat(problems("dbagent.db.main.breaker.failureRateThreshold", "0",
                "dbagent.db.main.breaker.service.failureRateThreshold", "101",
                "dbagent.db.main.breaker.pool.halfOpenCalls", "0"))
                .containsExactly("dbagent.db.main.breaker.failureRateThreshold=0: must be between 1 and 100",
                        "dbagent.db.main.breaker.pool.halfOpenCalls=0: must be between 1 and 1000",
                        "dbagent.db.main.breaker.service.failureRateThreshold=101: must be between 1 and 100");
    }

    @Test
    void maxBackoffBelowInitialBackoffIsReported() {
        assertThat(problems("dbagent.db.main.retry.initialBackoffMillis", "500", "dbagent.db.main.retry.maxBackoffMillis", "100"))
                .containsExactly("dbagent.db.main.retry.maxBackoffMillis=100: must not be less than "
                        + "dbagent.db.main.retry.initialBackoffMillis (500)");
    }

    @Test
    void agentNameWithObjectNameCharactersIsReported() {
        assertThat(problems("dbagent.name", "billing,type=x"))
                .containsExactly("dbagent.name=billing,type=x: must match [A-Za-z0-9][A-Za-z0-9._-]* (it is part of JMX ObjectNames)");
    }

    @Test
    void databaseNamesWithObjectNameCharactersAreReported() {
        assertThat(problems("dbagent.db.a:b.url", URL))
                .containsExactly("database name a:b: must match [A-Za-z0-9][A-Za-z0-9_-]* "
                        + "(it is part of JMX ObjectNames and configuration keys)");
        AgentConfig.Builder b = AgentConfig.builder().environment(Environment.TEST)
                .database("main", d -> d.url(URL))
                .database("x=y", d -> d.url(URL))
                .database("a*?", d -> d.url(URL));
        assertThat(problemsOf(b)).containsExactly(
                "database name x=y: must match [A-Za-z0-9][A-Za-z0-9_-]* (it is part of JMX ObjectNames and configuration keys)",
                "database name a*?: must match [A-Za-z0-9][A-Za-z0-9_-]* (it is part of JMX ObjectNames and configuration keys)");
    }

    @Test
    void unresolvableSecretReferencesNameTheKeyButNotAValue(@TempDir Path dir) {
        Path missing = dir.resolve("nope.txt");
        assertThat(problems("dbagent.db.main.password", "env:MAIN_DB_PASSWORD",
                "dbagent.jolokia.password", "file:" + missing, "dbagent.db.main.replicas.0.url", URL,
                "dbagent.db.main.replicas.0.password", "env:"))
                .containsExactly("dbagent.jolokia.password: file " + missing + " (file: reference) cannot be read (NoSuchFileException)",
                        "dbagent.db.main.password: environment variable MAIN_DB_PASSWORD (env: reference) is not set",
                        "dbagent.db.main.replicas.0.password: the env: reference names no variable");
    }

    @Test
    void noDatabaseIsReported() {
        assertThat(problemsOf(AgentConfig.builder().environment(Environment.TEST)))
                .containsExactly("no database configured: set dbagent.db.<name>.url");
    }

    @Test
    void perEnvironmentFileContradictingTheEnvironmentIsReported(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("dbagent.properties");
        Files.writeString(base, "dbagent.environment=production\ndbagent.db.main.url=" + URL + "\n");
        Files.writeString(dir.resolve("dbagent-production.properties"), "dbagent.environment=staging\n");
        assertThat(problemsOf(ConfigLoader.create().file(base).builder()))
                .containsExactly("dbagent.environment=staging in " + dir.resolve("dbagent-production.properties")
                        + ": contradicts the selected environment production");
    }

    @Test
    void missingConfigFileIsReported(@TempDir Path dir) {
        Path base = dir.resolve("absent.properties");
        assertThat(problemsOf(ConfigLoader.create().file(base).builder().environment(Environment.TEST)
                .database("main", d -> d.url(URL))))
                .containsExactly("config file " + base + " cannot be read (NoSuchFileException)");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        List<String> problems = problems("dbagent.environment", "production",
                "dbagent.name", "a=b",
                "dbagent.ops.resetEnabled", "true",
                "dbagent.db.main.url", "jdbc:oracle:thin:@h:1521/x",
                "dbagent.db.main.password", "s3cret-literal",
                "dbagent.db.main.pool.maxTotal", "-3",
                "dbagent.db.main.pool.minEvictableIdleMillis", "10",
                "dbagent.db.main.pool.maxTotl", "3",
                "dbagent.db.other.retry.maxAttempts", "0");
        assertThat(problems).containsExactly(
                "unknown key dbagent.db.main.pool.maxTotl - did you mean dbagent.db.main.pool.maxTotal?",
                "dbagent.name=a=b: must match [A-Za-z0-9][A-Za-z0-9._-]* (it is part of JMX ObjectNames)",
                "dbagent.ops.resetEnabled=true: reset cannot be enabled in production",
                "dbagent.db.main.url=jdbc:oracle:thin:@h:1521/x: must be a PostgreSQL JDBC URL (jdbc:postgresql://...)",
                "dbagent.db.main.pool.maxTotal=-3: must be between 1 and 1000",
                "dbagent.db.main.pool.minEvictableIdleMillis=10: must be between 1000 and 86400000",
                "dbagent.db.other.url is required",
                "dbagent.db.other.retry.maxAttempts=0: must be between 1 and 20");
        assertThat(String.join("\n", problems)).doesNotContain("s3cret-literal");
    }

    @Test
    void constructingAConfigDirectlyStillEnforcesTheSafetyRules() {
        AgentConfig ok = AgentConfig.builder().environment(Environment.PRODUCTION)
                .database("main", d -> d.url(URL)).build();
        JmxRemoteSettings openJmx = new JmxRemoteSettings(true, "0.0.0.0", 9010, false, Optional.empty(), Optional.empty(), false);
        DatabaseConfig main = ok.databases().get(0);
        DatabaseConfig shadow = new DatabaseConfig("MAIN", main.url(), main.user(), main.password(), main.replicas(),
                main.pool(), main.connection(), main.replicaRouting(), main.poolBreaker(), main.serviceBreaker(),
                main.retry(), main.slowQueryThreshold(), main.slowQueryBuffer(), main.migrate());
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> new AgentConfig(ok.name(),
                ok.environment(), List.of(main, shadow), ok.health(), new OpsSettings(true, Duration.ofMinutes(1)),
                openJmx, ok.jolokia()));
        assertThat(e.problems()).containsExactly(
                "duplicate database name MAIN: main is already defined (names are case-insensitive)",
                "dbagent.ops.resetEnabled=true: reset cannot be enabled in production",
                "dbagent.jmx.remote.auth=false: remote JMX must require authentication in production");
    }

    @Test
    void urlsThatOnlyStartRightAreRefusedWithTheKeyNamed() {
        String k = "dbagent.db.main.url";
        assertThat(problems(k, "jdbc:postgresql:")).containsExactly(k + "=jdbc:postgresql:: must be a PostgreSQL JDBC URL (jdbc:postgresql://...)");
        assertThat(problems(k, "jdbc:postgresql://db.example:99999/app"))
                .containsExactly(k + "=jdbc:postgresql://db.example:99999/app: port 99999 is not between 1 and 65535");
        assertThat(problems(k, "jdbc:postgresql://db.example:5432"))
                .containsExactly(k + "=jdbc:postgresql://db.example:5432: names no database (jdbc:postgresql://host:port/database)");
        assertThat(problems(k, "jdbc:postgresql://db.example:5432/"))
                .containsExactly(k + "=jdbc:postgresql://db.example:5432/: names no database (jdbc:postgresql://host:port/database)");
        assertThat(problems(k, "jdbc:postgresql://bad_host!/app"))
                .containsExactly(k + "=jdbc:postgresql://bad_host!/app: host 'bad_host!' is not a host name, IPv4 or [IPv6] address with an optional :port");
        assertThat(problems(k, "jdbc:postgresql:///app")).containsExactly(k + "=jdbc:postgresql:///app: names no host (jdbc:postgresql://host:port/database)");
        assertThat(problems("dbagent.db.main.replicas.1.url", "jdbc:postgresql://r1:0/app"))
                .containsExactly("dbagent.db.main.replicas.1.url=jdbc:postgresql://r1:0/app: port 0 is not between 1 and 65535");
    }

    @Test
    void unparseableUrlWithAPasswordIsRefusedWithoutShowingIt() {
        List<String> found = problems("dbagent.db.main.url", "jdbc:postgresql://h:5432/app password=hunter2");
        assertThat(found).hasSize(1);
        assertThat(found.get(0)).isEqualTo("dbagent.db.main.url=jdbc:postgresql://**** (malformed URL of 45 characters,"
                + " hidden): contains white space or control characters (encode them as %XX)");
    }

    @Test
    void numbersMustBeAsciiDigits() {
        assertThat(problems("dbagent.db.main.pool.maxTotal", "\uff15")) // fullwidth five
                .containsExactly("dbagent.db.main.pool.maxTotal=\uff15: must be an integer");
        assertThat(problems("dbagent.db.main.pool.maxWaitMillis", "\u0661\u0660\u0660\u0660")) // Arabic-Indic 1000
                .containsExactly("dbagent.db.main.pool.maxWaitMillis=\u0661\u0660\u0660\u0660: must be an integer");
        assertThat(problems("dbagent.db.main.pool.maxTotal", "5\u0000"))
                .containsExactly("dbagent.db.main.pool.maxTotal=5\\u0000: must be an integer");
        assertThat(problems("dbagent.db.main.pool.maxTotal", " 5 ", "dbagent.db.main.pool.minIdle", "x")).containsExactly(
                "dbagent.db.main.pool.minIdle=x: must be an integer");
    }

    @Test
    void currentSchemaMustBeAnIdentifier() {
        for (String bad : List.of("civic; DROP TABLE x", "1st", "a-b", "\"quoted\"", "x".repeat(64))) {
            assertThat(problems("dbagent.db.main.currentSchema", bad)).as(bad).containsExactly(
                    "dbagent.db.main.currentSchema=" + bad + ": must be an SQL identifier of at most 63 characters"
                            + " (letters, digits, _ and $, not starting with a digit)");
        }
    }

    @Test
    void emptyPasswordIsRefusedInProductionOnly(@TempDir Path dir) {
        List<String> found = problems("dbagent.environment", "production", "dbagent.db.main.password", "",
                "dbagent.db.main.replicas.1.url", "jdbc:postgresql://r1/app", "dbagent.db.main.replicas.1.password", "");
        assertThat(found).contains(
                "dbagent.db.main.password: must not be empty in production (leave it unset for certificate or peer authentication)",
                "dbagent.db.main.replicas.1.password: must not be empty in production (leave it unset for certificate or peer authentication)");
        AgentConfig dev = ConfigLoader.create().properties("test", props("dbagent.environment", "development",
                "dbagent.db.main.url", URL, "dbagent.db.main.password", "")).builder().build();
        assertThat(dev.databases().get(0).password().map(Secret::reveal).orElse("")).isEmpty();
    }

    @Test
    void caFileMustExist(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.pem");
        assertThat(problems("dbagent.db.main.sslrootcert", missing.toString()))
                .containsExactly("dbagent.db.main.sslrootcert=" + missing + ": no such readable file");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        AgentConfig ok = ConfigLoader.create().properties("test", props("dbagent.environment", "development",
                "dbagent.db.main.url", URL, "dbagent.db.main.sslrootcert", ca.toString())).builder().build();
        assertThat(ok.databases().get(0).connection().sslRootCert()).contains(ca);
    }

    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }
}
