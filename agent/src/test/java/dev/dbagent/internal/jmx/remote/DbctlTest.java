package dev.dbagent.internal.jmx.remote;

import dev.dbagent.DbctlProcess;
import dev.dbagent.config.Environment;
import dev.dbagent.config.JmxRemoteSettings;
import dev.dbagent.config.JolokiaSettings;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the real {@code scripts/dbctl} with the real jmxterm jar (fetched by dbctl itself into
 * ~/.cache/dbagent on first use) and curl against a real connector and a real Jolokia.
 */
class DbctlTest {


    @TempDir
    static Path dir;

    private static MBeanServer mbeanServer;
    private static TestBeans beans;
    private static RemoteJmxServer jmx;
    private static JolokiaServer jolokia;
    private static Credentials credentials;

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() throws Exception {
        Run fetch = dbctl(Map.of(), "fetch-jmxterm");
        assertThat(fetch.exit()).as(fetch.err()).isZero();
        assertThat(Path.of(fetch.out().strip())).isRegularFile().hasFileName("jmxterm-1.0.4-uber.jar");

        mbeanServer = MBeanServerFactory.createMBeanServer();
        beans = TestBeans.register(mbeanServer, "demo");
        credentials = Credentials.in(dir);
        JmxRemoteSettings jmxSettings =
                JmxRemoteSettings.authenticated(0, credentials.passwordFile, credentials.accessFile);
        jmx = RemoteJmxServer.start(mbeanServer, jmxSettings, Environment.TEST);
        jolokia = JolokiaServer.start(JolokiaSettings.sharingJmxUsers(0, Credentials.policy()), jmxSettings,
                Environment.TEST);
    }

    @AfterAll
    static void stop() throws JMException {
        if (jolokia != null) {
            jolokia.close();
        }
        if (jmx != null) {
            jmx.close();
        }
        if (beans != null) {
            beans.unregister(mbeanServer);
            MBeanServerFactory.releaseMBeanServer(mbeanServer);
        }
    }

    private static Run dbctl(Map<String, String> env, String... args) throws IOException, InterruptedException {
        DbctlProcess p = DbctlProcess.run(env, dir, List.of(args));
        return new Run(p.exit(), p.out(), p.err());
    }

    private static Map<String, String> operator() {
        return Map.of("DBCTL_USER", "operator", "DBCTL_PASSWORD", Credentials.OPERATOR_PASSWORD);
    }

    private static Run overJmx(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return dbctl(env, prepend(args, "--port", Integer.toString(jmx.port())));
    }

    private static Run overJolokia(Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        return dbctl(env, prepend(args, "--via", "jolokia", "--port", Integer.toString(jolokia.port())));
    }

    private static Map<String, String> jolokiaOperator() {
        return operator();
    }

    private static String[] prepend(String[] args, String... first) {
        return Stream.concat(Stream.of(first), Stream.of(args)).toArray(String[]::new);
    }

    @Test
    void healthOverJmxLeavesNoScriptWithThePasswordBehind() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp-health"));
        Map<String, String> env = new java.util.HashMap<>(operator());
        env.put("TMPDIR", tmp.toString());

        Run run = overJmx(env, "health");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("UP\ndatabase main: round trip 2 ms\nstatus: UP\n");
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void healthOverJolokia() throws Exception {
        Run run = overJolokia(jolokiaOperator(), "health");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("UP\ndatabase main: round trip 2 ms\nstatus: UP\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jmx", "jolokia"})
    void failingOperationExitsOneWithItsMessage(String via) throws Exception {
        Run run = via.equals("jmx") ? overJmx(operator(), "migrate") : overJolokia(jolokiaOperator(), "migrate");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("IllegalStateException")
                .contains("migrate failed: migration lock held by host-a since 10:02 UTC");
        assertThat(run.out()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"jmx", "jolokia"})
    void reportWithSuccessFalseExitsOne(String via) throws Exception {
        Run run = via.equals("jmx") ? overJmx(operator(), "verify") : overJolokia(jolokiaOperator(), "verify");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("missing index app.orders_customer_idx").containsPattern("success = false;?\n");
    }

    @Test
    void wrongCredentialsExitThreeOverJmx() throws Exception {
        Run run = overJmx(Map.of("DBCTL_USER", "operator", "DBCTL_PASSWORD", "wrong"), "status");

        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err()).contains("SecurityException: Authentication failed").doesNotContain("wrong");
    }

    @Test
    void wrongCredentialsExitThreeOverJolokia() throws Exception {
        Run run = overJolokia(Map.of("DBCTL_USER", "operator", "DBCTL_PASSWORD", "wrong"), "status");

        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err()).contains("Jolokia authentication failed (HTTP 401)");
    }

    @Test
    void monitorCannotResetButReadsPools() throws Exception {
        Path file = dir.resolve("monitor.credentials");
        Files.writeString(file, "user=monitor\npassword=" + Credentials.MONITOR_PASSWORD + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> monitor = Map.of("DBCTL_CREDENTIALS_FILE", file.toString());
        int before = beans.operations.getInvocations();

        Run reset = overJmx(monitor, "reset");
        Run pools = overJmx(monitor, "pools");

        assertThat(reset.exit()).isEqualTo(3);
        assertThat(reset.err()).contains("access denied: prepareReset changes state (impact ACTION) and needs"
                + " the operator role");
        assertThat(beans.operations.getInvocations()).isEqualTo(before);
        assertThat(pools.exit()).as(pools.err()).isZero();
        assertThat(pools.out()).matches("main/primary\\s+Total=6\\s+Active=4\\s+Idle=2\\s+Waiting=0\\s+MaxTotal=10\n");
    }

    @Test
    void monitorOverJolokiaReadsButCannotReset() throws Exception {
        Map<String, String> monitor = Map.of("DBCTL_USER", "monitor", "DBCTL_PASSWORD", Credentials.MONITOR_PASSWORD);
        int before = beans.operations.getInvocations();

        Run reset = overJolokia(monitor, "reset");
        Run breakers = overJolokia(monitor, "breakers");

        assertThat(reset.exit()).isEqualTo(3);
        assertThat(reset.err()).contains("access denied: java.lang.Exception : Operation prepareReset forbidden"
                + " for MBean " + beans.operationsName().getCanonicalName());
        assertThat(beans.operations.getInvocations()).isEqualTo(before);
        assertThat(breakers.exit()).as(breakers.err()).isZero();
        assertThat(breakers.out()).contains("main/service").contains("State=CLOSED");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jmx", "jolokia"})
    void resetPassesTheTokenFromPrepareReset(String via) throws Exception {
        Run run = via.equals("jmx") ? overJmx(operator(), "reset") : overJolokia(jolokiaOperator(), "reset");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("dropped and re-created schema app");
        assertThat(beans.operations.getLastCaller()).isEqualTo(via + ":operator");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jmx", "jolokia"})
    void breakersListEveryBreakerOfTheAgent(String via) throws Exception {
        Run run = via.equals("jmx") ? overJmx(operator(), "breakers") : overJolokia(jolokiaOperator(), "breakers");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).matches("main/pool/primary\\s+State=CLOSED\nmain/service\\s+State=CLOSED\n");
    }

    @Test
    void slowQueriesOverJolokia() throws Exception {
        Run run = overJolokia(jolokiaOperator(), "slow-queries");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("main\n  SlowQueryCount = 1\n  RecentSlowQueries:\n"
                + "    - 1520 ms  select * from orders where customer_id = ?"
                + "  [main/primary OrderDao.byCustomer 2026-11-27T18:58:00Z]\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jq", "python3"})
    void jolokiaOutputIsTheSameWithJqOrPython(String tool) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(operator());
        env.put("DBCTL_JSON", tool);

        Run init = overJolokia(env, "init");
        Run slow = overJolokia(env, "slow-queries");
        Run pools = overJolokia(env, "pools");

        assertThat(init.exit()).as(init.err()).isZero();
        assertThat(init.out()).isEqualTo("operation = init\nsuccess = true\nsummary = init done\ndurationMillis = 12\n"
                + "steps:\n  - detail=3 changesets millis=8 name=main: create schema app\n"
                + "text:\ncreated schema app (3 changesets)\n");
        assertThat(slow.out()).contains("    - 1520 ms  select * from orders where customer_id = ?");
        assertThat(pools.out()).matches("main/primary\\s+Total=6\\s+Active=4\\s+Idle=2\\s+Waiting=0\\s+MaxTotal=10\n");
    }

    @Test
    void slowQueriesOverJmx() throws Exception {
        Run run = overJmx(operator(), "slow-queries");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("main\n  SlowQueryCount = 1;\n  RecentSlowQueries = [ {")
                .contains("durationMillis = 1520;").contains("sql = select * from orders where customer_id = ?;");
    }

    @Test
    void releaseLockForcePassesTrue() throws Exception {
        Run run = overJmx(operator(), "release-lock", "--force");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("lock released (forced)");
    }

    @Test
    void unknownAgentIsNamedInTheError() throws Exception {
        Run run = overJmx(operator(), "--agent", "nope", "status");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("no dev.dbagent:type=Operations MBeans for agent nope");
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Run unknown = dbctl(Map.of(), "frobnicate");
        Run badAgent = dbctl(Map.of(), "--agent", "a,b=c", "status");

        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("dbctl: unknown command 'frobnicate' (see dbctl help)\n");
        assertThat(badAgent.exit()).isEqualTo(2);
        assertThat(badAgent.err()).contains("agent name 'a,b=c' is not a valid dbagent name");
    }
}
