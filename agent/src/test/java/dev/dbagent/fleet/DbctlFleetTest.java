package dev.dbagent.fleet;

import dev.dbagent.DbctlProcess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.PostgresServer;
import dev.dbagent.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13.7: the real {@code scripts/dbctl --hosts FILE} (curl, jq or python3) against a fleet of
 * three agents, each in a JVM of its own ({@link FleetMember}: agent {@code shop}, instances
 * {@code web-1..3}) with Jolokia on its own port and its own database on one embedded PostgreSQL,
 * plus a {@code host:port} where nothing listens. {@code web-3}'s service breaker is forced open,
 * so it reports DOWN; before migrating, the others report DEGRADED (changesets pending).
 *
 * <p>The members are started once and shared; the methods run in order because {@code migrate}
 * changes what the later ones see.
 */
@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DbctlFleetTest {
    private static final String JOLOKIA_PASSWORD = "fleet-" + UUID.randomUUID();
    private static final Pattern PORT_LINE = Pattern.compile("(?m)^jolokia-port (\\d+)$");

    @TempDir
    static Path dir;
    private static Path tmp;
    private static PostgresServer server;
    /** instance id → its database, in start order. */
    private static final Map<String, String> DATABASES = new LinkedHashMap<>();
    private static final Map<String, Process> MEMBERS = new HashMap<>();
    private static final Map<String, String> ADDRESS = new HashMap<>();
    private static String dead;

    record Run(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    @BeforeAll
    static void start(TestDatabase db) throws Exception {
        server = db.server();
        tmp = Files.createDirectory(dir.resolve("tmp"));
        Files.deleteIfExists(log("transcript").resolveSibling("transcript.txt"));
        for (String instance : List.of("web-1", "web-2", "web-3")) {
            String database = db.name() + "_" + instance.replace('-', '_');
            server.createDatabase(database);
            DATABASES.put(instance, database);
        }
        // started together: each JVM takes seconds to come up, they need not wait for each other
        for (String instance : DATABASES.keySet()) {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), FleetMember.class.getName(),
                    instance, server.jdbcUrl(DATABASES.get(instance)), db.user()));
            if (instance.equals("web-3")) {
                command.add("force-open");
            }
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log(instance).toFile());
            pb.environment().put("FLEET_DB_PASSWORD", db.password() == null ? "" : db.password());
            pb.environment().put("FLEET_JOLOKIA_PASSWORD", JOLOKIA_PASSWORD);
            MEMBERS.put(instance, pb.start());
        }
        for (String instance : DATABASES.keySet()) {
            Path log = log(instance);
            Process member = MEMBERS.get(instance);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                    .failFast(instance + " exited before it listened; see " + log, () -> !member.isAlive())
                    .until(() -> PORT_LINE.matcher(Files.readString(log)).find());
            Matcher m = PORT_LINE.matcher(Files.readString(log));
            assertThat(m.find()).isTrue();
            ADDRESS.put(instance, "127.0.0.1:" + m.group(1));
        }
        try (ServerSocket free = new ServerSocket(0)) {
            // a port that was free a moment ago: nothing listens there once this socket closes
            dead = "127.0.0.1:" + free.getLocalPort();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process member : MEMBERS.values()) {
            member.getOutputStream().close();
        }
        for (Process member : MEMBERS.values()) {
            if (!member.waitFor(60, TimeUnit.SECONDS)) {
                member.destroyForcibly();
            }
        }
        for (String database : DATABASES.values()) {
            server.dropDatabase(database);
        }
    }

    /** dbctl writes the Jolokia credentials into private temp files: none may outlive a run. */
    @AfterEach
    void nothingLeftInTmp() throws IOException {
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    @Order(1)
    void aWriteCommandAcrossAgentsIsRefusedWithoutAllAndChangesNothing() throws Exception {
        Path hosts = hosts("refused", "web-1", "web-2", "web-3");

        Run migrate = dbctl(operator(), "--hosts", hosts.toString(), "migrate");
        Run reset = dbctl(operator(), "--hosts", hosts.toString(), "--all", "reset");

        assertThat(migrate.exit()).isEqualTo(2);
        assertThat(migrate.err()).isEqualTo("dbctl: migrate changes or runs something on each agent: with --hosts it"
                + " needs --all (one agent after another, stopping at the first failure), or target one agent with"
                + " --host/--port\n");
        assertThat(migrate.out()).isEmpty();
        assertThat(reset.exit()).isEqualTo(2);
        assertThat(reset.err()).contains("reset is not run across agents, even with --all");
        for (String database : DATABASES.values()) {
            assertThat(appliedChangesets(database)).as(database).isZero();
        }
    }

    @Test
    @Order(2)
    void healthIsOneTableInTheFilesOrderAndAnUnreachableAgentExitsThree() throws Exception {
        // not sorted on purpose: the table follows the file, whatever order the answers come in
        Path hosts = hosts("all", "web-2", "dead", "web-1", "web-3");

        Run run = dbctl(operator(), "--hosts", hosts.toString(), "health");

        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(3);
        List<String> lines = run.lines();
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).matches("AGENT +INSTANCE +HEALTH +ISSUES");
        assertThat(lines.get(1)).matches(row("web-2", "web-2", "DEGRADED", "WARNING main\\.migrations: main: never migrated by dbagent.*"));
        assertThat(lines.get(2)).matches(Pattern.quote(dead) + " +- +UNREACHABLE +cannot reach Jolokia at http://"
                + Pattern.quote(dead) + "/jolokia/: curl: \\(7\\) .*");
        assertThat(lines.get(3)).matches(row("web-1", "web-1", "DEGRADED", "WARNING main\\.migrations: main: never migrated by dbagent.*"));
        assertThat(lines.get(4)).matches(row("web-3", "web-3", "DOWN",
                "CRITICAL main\\.breakers: breaker .*FORCED_OPEN.* \\(\\+\\d+ more\\)"));
        assertThat(lines.get(5)).isEqualTo("4 agents: 0 up, 2 degraded, 1 down, 1 unreachable");
        assertThat(run.out() + run.err()).doesNotContain(JOLOKIA_PASSWORD);
    }

    @Test
    @Order(3)
    void withAllAWriteRunsOnOneAgentAfterAnotherAndStopsAtTheFirstFailure() throws Exception {
        Path hosts = hosts("stops", "web-1", "dead", "web-2");

        Run run = dbctl(operator(), "--hosts", hosts.toString(), "--all", "migrate");

        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(3);
        assertThat(run.out()).startsWith("== " + ADDRESS.get("web-1") + " (1 of 3) ==\noperation = migrate\n")
                .contains("success = true").contains("2 changesets applied")
                .contains("== " + dead + " (2 of 3) ==\n")
                .doesNotContain("(3 of 3)")
                .endsWith("migrate: done on 1 of 3 agents; failed on " + dead + " (exit 3); not run on "
                        + ADDRESS.get("web-2") + "\n");
        assertThat(run.err()).contains("dbctl: cannot reach Jolokia at http://" + dead + "/jolokia/");
        assertThat(appliedChangesets(DATABASES.get("web-1"))).isEqualTo(2);
        assertThat(appliedChangesets(DATABASES.get("web-2"))).isZero();
        assertThat(appliedChangesets(DATABASES.get("web-3"))).isZero();
    }

    @Test
    @Order(4)
    void withAllMigrateReachesEveryAgentsDatabase() throws Exception {
        Path hosts = hosts("up", "web-1", "web-2");

        Run run = dbctl(operator(), "--hosts", hosts.toString(), "--all", "migrate");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        String out = run.out();
        String first = out.substring(0, out.indexOf("== " + ADDRESS.get("web-2")));
        assertThat(first).startsWith("== " + ADDRESS.get("web-1") + " (1 of 2) ==\n").contains("summary = up to date, 0 changesets");
        assertThat(out.substring(first.length())).startsWith("== " + ADDRESS.get("web-2") + " (2 of 2) ==\n")
                .contains("2 changesets applied").endsWith("migrate: done on 2 of 2 agents\n");
        assertThat(appliedChangesets(DATABASES.get("web-1"))).isEqualTo(2);
        assertThat(appliedChangesets(DATABASES.get("web-2"))).isEqualTo(2);
        assertThat(appliedChangesets(DATABASES.get("web-3"))).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"jq", "python3"})
    @Order(5)
    void aFleetThatIsAllUpExitsZeroWithJqOrPython(String tool) throws Exception {
        Map<String, String> env = new HashMap<>(operator());
        env.put("DBCTL_JSON", tool);

        Run run = dbctl(env, "--hosts", hosts("up", "web-1", "web-2").toString(), "health");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(cells(run)).containsExactly(
                line("AGENT", "INSTANCE", "HEALTH", "ISSUES"),
                line(ADDRESS.get("web-1"), "web-1", "UP", "none"),
                line(ADDRESS.get("web-2"), "web-2", "UP", "none"),
                "2 agents: 2 up, 0 degraded, 0 down, 0 unreachable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jq", "python3"})
    @Order(6)
    void aDownAgentMakesTheFleetExitOneWithJqOrPython(String tool) throws Exception {
        Map<String, String> env = new HashMap<>(operator());
        env.put("DBCTL_JSON", tool);

        Run run = dbctl(env, "--hosts", hosts("down", "web-1", "web-2", "web-3").toString(), "health");

        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.lines()).hasSize(5);
        assertThat(run.lines().get(3)).matches(row("web-3", "web-3", "DOWN",
                "CRITICAL main\\.breakers: breaker \\S+ is FORCED_OPEN.*: calls are rejected \\(\\+\\d+ more\\)"));
        assertThat(run.lines().get(4)).isEqualTo("3 agents: 2 up, 0 degraded, 1 down, 0 unreachable");
    }

    @Test
    @Order(7)
    void poolsHaveARowPerAgentAndPool() throws Exception {
        Run run = dbctl(operator(), "--hosts", hosts("all", "web-2", "dead", "web-1", "web-3").toString(), "pools");

        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(3);
        List<String> lines = run.lines();
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).matches("AGENT +INSTANCE +HEALTH +POOL +GAUGES");
        String gauges = "Total=\\d+  Active=\\d+  Idle=\\d+  Waiting=0  MaxTotal=\\d+";
        assertThat(lines.get(1)).matches(row("web-2", "web-2", "UP", "main/primary +" + gauges));
        assertThat(lines.get(2)).matches(Pattern.quote(dead) + " +- +UNREACHABLE +cannot reach Jolokia .*");
        assertThat(lines.get(3)).matches(row("web-1", "web-1", "UP", "main/primary +" + gauges));
        assertThat(lines.get(4)).matches(row("web-3", "web-3", "DOWN", "main/primary +" + gauges));
        assertThat(lines.get(5)).isEqualTo("4 agents: 2 up, 0 degraded, 1 down, 1 unreachable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jq", "python3"})
    @Order(8)
    void breakersHaveARowPerAgentAndBreakerWithJqOrPython(String tool) throws Exception {
        Map<String, String> env = new HashMap<>(operator());
        env.put("DBCTL_JSON", tool);

        Run run = dbctl(env, "--hosts", hosts("down", "web-1", "web-2", "web-3").toString(), "breakers");

        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(cells(run)).containsExactly(
                line("AGENT", "INSTANCE", "HEALTH", "BREAKER", "STATE"),
                line(ADDRESS.get("web-1"), "web-1", "UP", "main/pool/primary", "State=CLOSED"),
                line(ADDRESS.get("web-1"), "web-1", "UP", "main/service", "State=CLOSED"),
                line(ADDRESS.get("web-2"), "web-2", "UP", "main/pool/primary", "State=CLOSED"),
                line(ADDRESS.get("web-2"), "web-2", "UP", "main/service", "State=CLOSED"),
                line(ADDRESS.get("web-3"), "web-3", "DOWN", "main/pool/primary", "State=CLOSED"),
                line(ADDRESS.get("web-3"), "web-3", "DOWN", "main/service", "State=FORCED_OPEN"),
                "3 agents: 2 up, 0 degraded, 1 down, 0 unreachable");
        // aligned: every row's instance starts where the header's INSTANCE does
        int column = run.lines().get(0).indexOf("INSTANCE");
        assertThat(run.lines().subList(1, 7)).allSatisfy(l -> assertThat(l.substring(column)).startsWith("web-"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"jq", "python3"})
    @Order(9)
    void statusHasARowPerAgentAndDatabaseAndAPendingOneExitsOne(String tool) throws Exception {
        Map<String, String> env = new HashMap<>(operator());
        env.put("DBCTL_JSON", tool);

        Run up = dbctl(env, "--hosts", hosts("up", "web-1", "web-2").toString(), "status");
        Run down = dbctl(env, "--hosts", hosts("down", "web-1", "web-2", "web-3").toString(), "status");

        assertThat(up.exit()).as(up.out() + up.err()).isZero();
        assertThat(cells(up)).containsExactly(
                line("AGENT", "INSTANCE", "HEALTH", "DATABASE", "SUCCESS", "SUMMARY"),
                line(ADDRESS.get("web-1"), "web-1", "UP", "main", "true", "2 applied, 0 pending"),
                line(ADDRESS.get("web-2"), "web-2", "UP", "main", "true", "2 applied, 0 pending"),
                "2 agents: 2 up, 0 degraded, 0 down, 0 unreachable");
        assertThat(down.exit()).as(down.out() + down.err()).isEqualTo(1);
        assertThat(cells(down).get(3)).isEqualTo(
                line(ADDRESS.get("web-3"), "web-3", "DOWN", "main", "false", "0 applied, 2 pending"));
        assertThat(down.lines().get(4)).isEqualTo("3 agents: 2 up, 0 degraded, 1 down, 0 unreachable, 1 failed");
    }

    @Test
    @Order(10)
    void wrongCredentialsAreRefusedByEveryAgentAndExitThree() throws Exception {
        String wrong = "not-" + JOLOKIA_PASSWORD;
        Run run = dbctl(Map.of("DBCTL_USER", "operator", "DBCTL_PASSWORD", wrong),
                "--hosts", hosts("up", "web-1", "web-2").toString(), "health");

        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.lines()).hasSize(4);
        assertThat(run.lines().get(1)).matches(row("web-1", "-", "UNREACHABLE",
                "Jolokia authentication failed \\(HTTP 401\\): check DBCTL_USER/DBCTL_PASSWORD"));
        assertThat(run.lines().get(3)).isEqualTo("2 agents: 0 up, 0 degraded, 0 down, 2 unreachable");
        assertThat(run.out() + run.err()).doesNotContain(wrong);
    }

    @Test
    @Order(11)
    void aBadHostsFileIsAUsageErrorNamingTheLine() throws Exception {
        Path bad = dir.resolve("bad.hosts");
        Files.writeString(bad, "# the fleet\n" + ADDRESS.get("web-1") + "\n\n127.0.0.1 agent=shop\n");

        Run line = dbctl(operator(), "--hosts", bad.toString(), "health");
        Run jmx = dbctl(operator(), "--hosts", hosts("up", "web-1").toString(), "--via", "jmx", "health");
        Run both = dbctl(operator(), "--hosts", hosts("up", "web-1").toString(), "--port", "8778", "health");
        Run missing = dbctl(operator(), "--hosts", dir.resolve("none.hosts").toString(), "health");
        Run local = dbctl(operator(), "--hosts", hosts("up", "web-1").toString(), "--local", "status");
        Run allAlone = dbctl(operator(), "--port", "8778", "--all", "migrate");

        assertThat(line.exit()).isEqualTo(2);
        assertThat(line.err()).isEqualTo("dbctl: hosts file " + bad + " line 4: '127.0.0.1' is not host:port"
                + " (expected: host:port [agent=NAME] [db=NAME])\n");
        assertThat(line.out()).isEmpty();
        assertThat(jmx.exit()).isEqualTo(2);
        assertThat(jmx.err()).contains("--hosts speaks to agents over Jolokia only, not --via jmx");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("--hosts names the agents: leave out --host and --port");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("hosts file " + dir.resolve("none.hosts") + " is not readable");
        assertThat(local.exit()).isEqualTo(2);
        assertThat(local.err()).isEqualTo("dbctl: --hosts and --local do not go together\n");
        assertThat(allAlone.exit()).isEqualTo(2);
        assertThat(allAlone.err()).isEqualTo("dbctl: --all applies to --hosts FILE only\n");
    }

    @Test
    @Order(12)
    void aLineMayNameItsAgentAndAWrongOneFailsThatRowOnly() throws Exception {
        Path hosts = dir.resolve("named.hosts");
        Files.writeString(hosts, ADDRESS.get("web-1") + " agent=shop db=main   # the same agent, named\n"
                + ADDRESS.get("web-2") + " agent=nope\n");

        Run run = dbctl(operator(), "--hosts", hosts.toString(), "status");

        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(cells(run).get(1)).isEqualTo(
                line(ADDRESS.get("web-1") + "/shop", "web-1", "UP", "main", "true", "2 applied, 0 pending"));
        assertThat(cells(run).get(2)).isEqualTo(line(ADDRESS.get("web-2") + "/nope", "-", "FAILED",
                "no agent nope at " + ADDRESS.get("web-2") + " (dev.dbagent:type=Agent,agent=nope is not registered;"
                        + " is --agent or agent= right?)"));
        assertThat(run.lines().get(3)).isEqualTo("2 agents: 1 up, 0 degraded, 0 down, 0 unreachable, 1 failed");
    }

    // ------------------------------------------------------------------------------------------

    /** A row whose cells are separated by runs of spaces, as the aligned table prints it. */
    private static String row(String instance, String shownInstance, String health, String rest) {
        return Pattern.quote(ADDRESS.get(instance)) + " +" + Pattern.quote(shownInstance) + " +" + health + " +" + rest;
    }

    /** The cells of a table line, as the expected lines of this test write them: joined by " | ". */
    private static String line(String... cells) {
        return String.join(" | ", cells);
    }

    /** The output's lines with each run of two or more spaces (a column gap) shown as " | ". */
    private static List<String> cells(Run run) {
        return run.lines().stream().map(l -> l.replaceAll(" {2,}", " | ")).toList();
    }

    /** Each member's output, kept in the build directory for a look after a failure. */
    private static Path log(String instance) throws IOException {
        return Files.createDirectories(Path.of("target", "dbctl-fleet")).resolve(instance + ".log");
    }

    private static Path hosts(String name, String... members) throws IOException {
        StringBuilder b = new StringBuilder("# fleet '" + name + "', written by DbctlFleetTest\n\n");
        for (String member : members) {
            b.append(member.equals("dead") ? dead : ADDRESS.get(member)).append('\n');
        }
        Path file = dir.resolve(name + "-" + String.join("-", members) + ".hosts");
        Files.writeString(file, b.toString());
        return file;
    }

    private static Map<String, String> operator() {
        return Map.of("DBCTL_USER", "operator", "DBCTL_PASSWORD", JOLOKIA_PASSWORD);
    }

    private static int appliedChangesets(String database) throws Exception {
        try (Connection c = server.connect(database); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('shop.databasechangelog') IS NULL")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return 0;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM shop.databasechangelog")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static Run dbctl(Map<String, String> env, String... args) throws Exception {
        // every member is agent "shop"; a hosts-file line may still name another
        List<String> arguments = new ArrayList<>(List.of("--agent", "shop"));
        arguments.addAll(List.of(args));
        Map<String, String> environment = new HashMap<>(env);
        environment.put("TMPDIR", tmp.toString());
        DbctlProcess p = DbctlProcess.run(environment, dir, arguments);
        Run run = new Run(p.exit(), p.out(), p.err());
        // a transcript of every run next to the members' logs, for reading after a failure
        Files.writeString(log("transcript").resolveSibling("transcript.txt"),
                "$ dbctl " + String.join(" ", arguments) + "\n" + run.out() + run.err()
                        + "exit " + run.exit() + "\n\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return run;
    }
}
