package dev.dbagent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as a user runs it: a separate JVM that starts the embedded PostgreSQL and the agent,
 * answered by the real {@code scripts/dbctl} over jmxterm and over Jolokia, then stopped with
 * SIGTERM (what Ctrl-C sends the JVM as well) leaving no server behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoTest {
    private static final Path DBCTL = Path.of("..", "scripts", "dbctl").toAbsolutePath().normalize();
    @TempDir
    static Path home;
    private static Process demo;
    private static int jmxPort;
    private static int jolokiaPort;
    private static int pgPort;
    private static final StringBuffer OUTPUT = new StringBuffer();
    private static Thread reader;

    @BeforeAll
    static void startDemo() throws Exception {
        jmxPort = freePort();
        jolokiaPort = freePort();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Demo.class.getName()).redirectErrorStream(true);
        pb.environment().putAll(Map.of(
                "DBAGENT_DEMO_JMX_PORT", Integer.toString(jmxPort),
                "DBAGENT_DEMO_JOLOKIA_PORT", Integer.toString(jolokiaPort),
                "DBAGENT_DEMO_HOME", home.toString(),
                "DBAGENT_DEMO_POLICY", Path.of("..", "jmx-config", "jolokia-access.xml").toAbsolutePath().toString()));
        demo = pb.start();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    OUTPUT.append(line).append('\n');
                    if (line.equals("DBAGENT_DEMO_READY")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("demo ended before it was ready"));
        }, "demo-output");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(180, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("demo did not start:\n" + OUTPUT, e);
        }
        Matcher m = Pattern.compile("PostgreSQL jdbc:postgresql://127\\.0\\.0\\.1:(\\d+)/civic").matcher(OUTPUT);
        assertThat(m.find()).as(OUTPUT.toString()).isTrue();
        pgPort = Integer.parseInt(m.group(1));
    }

    @AfterAll
    static void stopDemo() {
        if (demo != null && demo.isAlive()) {
            demo.destroyForcibly();
        }
    }

    @Test
    @Order(1)
    void aSecondDemoRefusesToStartAndLeavesTheFirstOnesFilesAlone() throws Exception {
        Map<Path, byte[]> before = files();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Demo.class.getName()).redirectErrorStream(true);
        pb.environment().putAll(Map.of(
                "DBAGENT_DEMO_JMX_PORT", Integer.toString(freePort()),
                "DBAGENT_DEMO_JOLOKIA_PORT", Integer.toString(freePort()),
                "DBAGENT_DEMO_HOME", home.toString()));
        Process second = pb.start();
        String out = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(second.exitValue()).as(out).isEqualTo(1);
        assertThat(out).contains("dbagent demo: another demo is running with DBAGENT_DEMO_HOME=" + home);
        // scripts/demo says so before it builds anything (a build would replace the running demo's classes)
        ProcessBuilder script = new ProcessBuilder("bash", Path.of("..", "scripts", "demo").toString())
                .redirectErrorStream(true);
        script.environment().put("DBAGENT_DEMO_HOME", home.toString());
        Process viaScript = script.start();
        String scriptOut = new String(viaScript.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(viaScript.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(viaScript.exitValue()).as(scriptOut).isEqualTo(1);
        assertThat(scriptOut).contains("dbagent demo: another demo is running (pid " + demo.pid() + ")");
        Map<Path, byte[]> after = files();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((file, content) -> assertThat(after.get(file)).as(file.toString()).isEqualTo(content));
        Result health = dbctl("operator", "--port", Integer.toString(jmxPort), "health");
        assertThat(health.exit).as(health.output).isZero();
    }

    private static Map<Path, byte[]> files() throws IOException {
        Map<Path, byte[]> files = new java.util.TreeMap<>();
        try (var list = Files.list(home)) {
            for (Path p : list.filter(Files::isRegularFile).toList()) {
                files.put(p, Files.readAllBytes(p));
            }
        }
        return files;
    }

    @Test
    @Order(2)
    void theWorkloadSurvivesAResetWithOneLineSaid() throws Exception {
        Result reset = dbctl("operator", "--port", Integer.toString(jmxPort), "reset");
        assertThat(reset.exit).as(reset.output).isZero();

        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> OUTPUT.toString()
                .contains("demo workload resumed: the schema is back, its rows are re-created"));
        assertThat(OUTPUT.toString().split("demo workload paused", -1)).hasSize(2);
        int mark = OUTPUT.length();
        // still working afterwards: the pools keep serving and nothing more is said about the reset
        Result pools = dbctl("operator", "--port", Integer.toString(jmxPort), "pools");
        assertThat(pools.exit).as(pools.output).isZero();
        assertThat(OUTPUT.substring(mark)).doesNotContain("demo workload paused");
    }

    @Test
    @Order(3)
    void startsAndAnswersDbctlHealthOverJmxAndJolokiaThenStopsCleanly() throws Exception {
        String password = Files.readString(home.resolve("operator.credentials")).lines()
                .filter(l -> l.startsWith("password=")).findFirst().orElseThrow().substring(9);
        assertThat(OUTPUT.toString())
                .contains("JConsole / VisualVM : service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi")
                .contains("scripts/dbctl --port " + jmxPort + " health")
                .contains("curl -s --netrc-file " + home.resolve("operator.netrc") + " http://127.0.0.1:" + jolokiaPort)
                .doesNotContain(" -u ")
                .doesNotContain(Files.readString(home.resolve("operator.credentials")).lines()
                        .filter(l -> l.startsWith("password=")).findFirst().orElseThrow().substring(9));

        Result health = dbctl("operator", "--port", Integer.toString(jmxPort), "health");
        assertThat(health.exit).as(health.output).isZero();
        assertThat(health.output).contains("main.primary.roundTrip").contains("main.migrations").contains("status: UP");

        Result pools = dbctl("operator", "--via", "jolokia", "--port", Integer.toString(jolokiaPort), "pools");
        assertThat(pools.exit).as(pools.output).isZero();
        assertThat(pools.output).contains("main/primary").contains("MaxTotal=8");

        Result refused = dbctl("monitor", "--port", Integer.toString(jmxPort), "reset");
        assertThat(refused.exit).as(refused.output).isEqualTo(3);
        assertThat(refused.output).contains("access denied: prepareReset changes state (impact ACTION) and needs"
                + " the operator role");

        // the banner's curl line works as printed: netrc file, no Origin header needed
        String curlLine = OUTPUT.toString().lines().filter(l -> l.contains("curl -s --netrc-file")).findFirst()
                .orElseThrow();
        Process curl = new ProcessBuilder("bash", "-c", curlLine.substring(curlLine.indexOf("curl")))
                .redirectErrorStream(true).start();
        String curlOut = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(curlOut).contains("\"value\":\"UP\"").doesNotContain(password);

        // SIGTERM, as Ctrl-C's SIGINT, through the handle: Process.destroy() would also close our end of its output
        demo.toHandle().destroy();
        assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
        reader.join(10_000);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !listening(pgPort) && !listening(jmxPort)
                && !listening(jolokiaPort));
        assertThat(OUTPUT.toString()).contains("dbagent demo: stopping").contains("agent 'demo' stopped");
    }

    private record Result(int exit, String output) {}

    private static Result dbctl(String user, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", DBCTL.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DBCTL_CREDENTIALS_FILE", home.resolve(user + ".credentials").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
