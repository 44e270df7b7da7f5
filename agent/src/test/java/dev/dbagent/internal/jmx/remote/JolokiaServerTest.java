package dev.dbagent.internal.jmx.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.OperationRefusedException;
import dev.dbagent.config.Environment;
import dev.dbagent.config.JmxRemoteSettings;
import dev.dbagent.config.JolokiaSettings;
import dev.dbagent.config.Secret;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;

import org.jolokia.json.parser.JSONParser;
import org.jolokia.json.parser.ParseException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JolokiaServerTest {

    private static final String USER = "operator";
    private static final String PASSWORD = "j0lokia-Secret";
    private static final String ORIGIN = "http://127.0.0.1";

    private static MBeanServer mbeanServer;
    private static TestBeans beans;
    private static JolokiaServer jolokia;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws JMException {
        // Jolokia serves every MBeanServer made by MBeanServerFactory.createMBeanServer
        mbeanServer = MBeanServerFactory.createMBeanServer();
        beans = TestBeans.register(mbeanServer, "jolo");
        jolokia = JolokiaServer.start(JolokiaSettings.singleUser(0, USER, PASSWORD, Credentials.policy()),
                JmxRemoteSettings.disabled(), Environment.PRODUCTION);
    }

    @AfterAll
    static void stop() throws JMException {
        if (jolokia != null) {
            jolokia.close();
        }
        beans.unregister(mbeanServer);
        MBeanServerFactory.releaseMBeanServer(mbeanServer);
    }

    private static HttpRequest.Builder request(String path, String user, String password) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(jolokia.url().resolve(path)).header("Origin", ORIGIN);
        if (user != null) {
            String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            builder.header("Authorization", "Basic " + basic);
        }
        return builder;
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(request(path, USER, PASSWORD).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String json) throws IOException, InterruptedException {
        return HTTP.send(request("", USER, PASSWORD)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String json) throws IOException, ParseException {
        return (Map<String, Object>) new JSONParser().parse(json);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> value(Map<String, Object> response) {
        return (Map<String, Object>) response.get("value");
    }

    @Test
    void readsPoolAttributes() throws Exception {
        HttpResponse<String> response = get("read/" + beans.poolName() + "/Total,Active,Idle,Waiting,MaxTotal");

        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Object> json = object(response.body());
        assertThat(json.get("status")).isEqualTo(200L);
        assertThat(value(json)).containsEntry("Total", 6L).containsEntry("Active", 4L)
                .containsEntry("Idle", 2L).containsEntry("Waiting", 0L).containsEntry("MaxTotal", 10L);
    }

    @Test
    @SuppressWarnings("unchecked")
    void bulkRequestAnswersEachPart() throws Exception {
        String bulk = "[{\"type\":\"read\",\"mbean\":\"" + beans.poolName() + "\",\"attribute\":\"Active\"},"
                + "{\"type\":\"read\",\"mbean\":\"" + beans.healthName() + "\",\"attribute\":\"Status\"},"
                + "{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc\"}]";

        HttpResponse<String> response = post(bulk);

        assertThat(response.statusCode()).isEqualTo(200);
        List<Map<String, Object>> parts = (List<Map<String, Object>>) new JSONParser().parse(response.body());
        assertThat(parts).hasSize(3);
        assertThat(parts.get(0)).containsEntry("status", 200L).containsEntry("value", 4L);
        assertThat(parts.get(1)).containsEntry("status", 200L).containsEntry("value", "UP");
        assertThat(parts.get(2)).containsEntry("status", 403L);
    }

    @Test
    void execHealthRunsAsTheAuthenticatedUser() throws Exception {
        HttpResponse<String> response = post(
                "{\"type\":\"exec\",\"mbean\":\"" + beans.operationsName() + "\",\"operation\":\"health\"}");

        Map<String, Object> json = object(response.body());
        assertThat(json.get("status")).isEqualTo(200L);
        assertThat(value(json)).containsEntry("operation", "health").containsEntry("success", true)
                .containsEntry("text", "UP: 3 checks passed");
        assertThat(beans.operations.getLastCaller()).isEqualTo("jolokia:operator");
    }

    @Test
    void failingOperationReportsItsMessage() throws Exception {
        HttpResponse<String> response = post(
                "{\"type\":\"exec\",\"mbean\":\"" + beans.operationsName() + "\",\"operation\":\"migrate\"}");

        Map<String, Object> json = object(response.body());
        assertThat(json.get("status")).isEqualTo(500L);
        assertThat((String) json.get("error"))
                .contains("migrate failed: migration lock held by host-a since 10:02 UTC");
        assertThat(json).doesNotContainKey("stacktrace");
    }

    @Test
    void unmarkedOperationsWritesAndForeignActionsAreRefused() throws Exception {
        int before = beans.operations.getInvocations();
        Map<String, Object> gc = object(get("exec/java.lang:type=Memory/gc").body());
        Map<String, Object> undecided = object(post(
                "{\"type\":\"exec\",\"mbean\":\"" + beans.undecidedName() + "\",\"operation\":\"purge\"}")
                .body());
        HttpResponse<String> write = post(
                "{\"type\":\"write\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"Verbose\",\"value\":true}");
        Map<String, Object> runtime = object(get("read/java.lang:type=Runtime/InputArguments").body());

        assertThat(gc.get("status")).isEqualTo(403L);
        assertThat((String) gc.get("error")).contains("gc");
        assertThat(undecided.get("status")).isEqualTo(403L);
        assertThat(beans.undecided.getPurges()).isZero();
        assertThat(write.statusCode()).isEqualTo(403);
        assertThat(runtime.get("status")).isEqualTo(403L);
        assertThat(beans.operations.getInvocations()).isEqualTo(before);
    }

    @Test
    void requestsWithoutOrWithWrongCredentialsGet401() throws Exception {
        HttpResponse<String> none = HTTP.send(request("read/" + beans.healthName() + "/Status", null, null)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> wrong = HTTP.send(request("read/" + beans.healthName() + "/Status", USER, "wrong")
                .GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"dbagent\", charset=\"UTF-8\"");
        assertThat(wrong.statusCode()).isEqualTo(401);
    }

    private static HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(jolokia.url().resolve(path))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void foreignBrowserOriginOrRefererIsRefusedBeforeJolokia() throws Exception {
        String path = "read/" + beans.healthName() + "/Status";
        HttpResponse<String> origin = HTTP.send(authorized(path).header("Origin", "https://evil.example").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> referer = HTTP.send(authorized(path).header("Referer", "https://evil.example/page")
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> nullOrigin = HTTP.send(authorized(path).header("Origin", "null").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> crossSite = HTTP.send(authorized(path).header("Sec-Fetch-Site", "cross-site").GET().build(),
                HttpResponse.BodyHandlers.ofString());

        for (HttpResponse<String> refused : List.of(origin, referer, nullOrigin, crossSite)) {
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).isEmpty();
            assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    @Test
    void toolsWithoutOriginAndPagesFromAllowedOriginsAreServed() throws Exception {
        String path = "read/" + beans.healthName() + "/Status";
        HttpResponse<String> bare = HTTP.send(authorized(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> referer = HTTP.send(authorized(path).header("Referer", "http://localhost/console.html")
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> origin = HTTP.send(authorized(path).header("Origin", ORIGIN).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        for (HttpResponse<String> served : List.of(bare, referer, origin)) {
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(object(served.body())).containsEntry("value", "UP");
        }
        assertThat(origin.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
    }

    @Test
    void stagingRefusesToStartWithoutAuthenticationOrPolicy() {
        JolokiaSettings noAuth = JolokiaSettings.singleUser(0, USER, PASSWORD, Credentials.policy()).withAuth(false);
        JolokiaSettings noPolicy = JolokiaSettings.singleUser(0, USER, PASSWORD, null);

        assertThatThrownBy(() -> JolokiaServer.start(noAuth, JmxRemoteSettings.disabled(), Environment.STAGING))
                .isInstanceOf(OperationRefusedException.class)
                .hasMessage("Jolokia refused to start: dbagent.jolokia.auth=false: Jolokia must require"
                        + " authentication in staging");
        assertThatThrownBy(() -> JolokiaServer.start(noPolicy, JmxRemoteSettings.disabled(), Environment.STAGING))
                .isInstanceOf(OperationRefusedException.class)
                .hasMessageContaining("dbagent.jolokia.policyFile is required in staging");
    }

    @Test
    void usersFromThePasswordAndAccessFilesKeepTheirRoles(@TempDir Path dir) throws Exception {
        Credentials credentials = Credentials.in(dir);
        JmxRemoteSettings files = JmxRemoteSettings.authenticated(0, credentials.passwordFile, credentials.accessFile)
                .withSsl(false);
        try (JolokiaServer withUsers = JolokiaServer.start(JolokiaSettings.sharingJmxUsers(0, Credentials.policy()),
                files, Environment.PRODUCTION)) {
            URI base = withUsers.url();
            String operations = beans.operationsName().toString();
            String execHealth = "{\"type\":\"exec\",\"mbean\":\"" + operations + "\",\"operation\":\"health\"}";
            String execInit = "{\"type\":\"exec\",\"mbean\":\"" + operations + "\",\"operation\":\"init\"}";

            Map<String, Object> monitorHealth = object(send(base, "monitor", Credentials.MONITOR_PASSWORD, "", execHealth)
                    .body());
            assertThat(beans.operations.getLastCaller()).isEqualTo("jolokia:monitor");
            int before = beans.operations.getInvocations();
            Map<String, Object> monitorInit = object(send(base, "monitor", Credentials.MONITOR_PASSWORD, "", execInit)
                    .body());
            assertThat(beans.operations.getInvocations()).isEqualTo(before);
            Map<String, Object> operatorInit = object(send(base, "operator", Credentials.OPERATOR_PASSWORD, "", execInit)
                    .body());
            HttpResponse<String> stranger = send(base, "nobody", "x", "read/" + beans.healthName() + "/Status", null);

            assertThat(monitorHealth).containsEntry("status", 200L);
            assertThat(monitorInit).containsEntry("status", 403L);
            assertThat(operatorInit).containsEntry("status", 200L);
            assertThat(beans.operations.getLastCaller()).isEqualTo("jolokia:operator");
            assertThat(stranger.statusCode()).isEqualTo(401);
        }
    }

    private static HttpResponse<String> send(URI base, String user, String password, String path, String json)
            throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .header("Origin", ORIGIN)
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        if (json != null) {
            builder.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        }
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void settingsNeverShowThePasswords() {
        JolokiaSettings settings = JolokiaSettings.singleUser(0, USER, PASSWORD, Path.of("p.xml"))
                .withTls(Path.of("k.p12"), Secret.of("st0re-Secret"));

        assertThat(settings.toString()).doesNotContain(PASSWORD).doesNotContain("st0re-Secret")
                .contains("password=****").contains("keystorePassword=****");
    }

    @Test
    void closeFreesThePort() throws IOException {
        JolokiaServer second = JolokiaServer.start(JolokiaSettings.singleUser(0, USER, PASSWORD, Credentials.policy()),
                JmxRemoteSettings.disabled(), Environment.TEST);
        int port = second.port();
        assertThat(second.url()).isEqualTo(URI.create("http://127.0.0.1:" + port + "/jolokia/"));

        second.close();
        second.close();

        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }
}
