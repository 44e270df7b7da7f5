package dev.dbagent.internal.jmx.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.OperationRefusedException;

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
        jolokia = JolokiaServer.start(JolokiaServerSettings.authenticated(0, USER, PASSWORD, Credentials.policy(), "production"));
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
    void policyRefusesUnlistedOperationsWritesAndForeignReads() throws Exception {
        int before = beans.operations.getInvocations();
        Map<String, Object> gc = object(get("exec/java.lang:type=Memory/gc").body());
        Map<String, Object> unlisted = object(post(
                "{\"type\":\"exec\",\"mbean\":\"" + beans.operationsName() + "\",\"operation\":\"dropEverything\"}")
                .body());
        Map<String, Object> write = object(post(
                "{\"type\":\"write\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"Verbose\",\"value\":true}")
                .body());
        Map<String, Object> runtime = object(get("read/java.lang:type=Runtime/InputArguments").body());

        assertThat(gc.get("status")).isEqualTo(403L);
        assertThat((String) gc.get("error")).contains("gc");
        assertThat(unlisted.get("status")).isEqualTo(403L);
        assertThat(write.get("status")).isEqualTo(403L);
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

    @Test
    void foreignBrowserOriginIsRefused() throws Exception {
        HttpRequest evil = HttpRequest.newBuilder(jolokia.url().resolve("read/" + beans.healthName() + "/Status"))
                .header("Origin", "https://evil.example")
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .GET().build();

        HttpResponse<String> response = HTTP.send(evil, HttpResponse.BodyHandlers.ofString());

        // Jolokia answers policy refusals inside the JSON body, with HTTP 200
        Map<String, Object> json = object(response.body());
        assertThat(json.get("status")).isEqualTo(403L);
        assertThat((String) json.get("error")).contains("Origin https://evil.example is not allowed");
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void strictCorsRefusesRequestsWithoutOrigin() throws Exception {
        HttpRequest bare = HttpRequest.newBuilder(jolokia.url().resolve("read/" + beans.healthName() + "/Status"))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .GET().build();

        Map<String, Object> json = object(HTTP.send(bare, HttpResponse.BodyHandlers.ofString()).body());

        assertThat(json.get("status")).isEqualTo(403L);
        assertThat((String) json.get("error")).contains("Origin null is not allowed");
    }

    @Test
    void stagingRefusesToStartWithoutAuthenticationOrPolicy() {
        JolokiaServerSettings noAuth = new JolokiaServerSettings("127.0.0.1", 0, false, null, null, null, null,
                Credentials.policy(), "staging");
        JolokiaServerSettings noPolicy = new JolokiaServerSettings("127.0.0.1", 0, true, USER, PASSWORD, null, null, null,
                "staging");

        assertThatThrownBy(() -> JolokiaServer.start(noAuth))
                .isInstanceOf(OperationRefusedException.class)
                .hasMessage("Jolokia refused to start without authentication in environment 'staging':"
                        + " set auth=true with a password file (and an access file or policy)");
        assertThatThrownBy(() -> JolokiaServer.start(noPolicy))
                .isInstanceOf(OperationRefusedException.class)
                .hasMessageContaining("without an access policy in environment 'staging'");
    }

    @Test
    void usersFromThePasswordAndAccessFilesKeepTheirRoles(@TempDir Path dir) throws Exception {
        Credentials credentials = Credentials.in(dir);
        try (JolokiaServer withUsers = JolokiaServer.start(JolokiaServerSettings.withUsers(
                0, credentials.passwordFile, credentials.accessFile, Credentials.policy(), "production"))) {
            URI base = withUsers.url();
            String health = beans.healthName().toString();
            String operations = beans.operationsName().toString();
            String execHealth = "{\"type\":\"exec\",\"mbean\":\"" + operations + "\",\"operation\":\"health\"}";
            String readStatus = "{\"type\":\"read\",\"mbean\":\"" + health + "\",\"attribute\":\"Status\"}";
            int before = beans.operations.getInvocations();

            HttpResponse<String> monitorRead = send(base, "monitor", Credentials.MONITOR_PASSWORD,
                    "read/" + health + "/Status", null);
            HttpResponse<String> monitorBulkRead = send(base, "monitor", Credentials.MONITOR_PASSWORD, "",
                    "[" + readStatus + "," + readStatus + "]");
            HttpResponse<String> monitorExec = send(base, "monitor", Credentials.MONITOR_PASSWORD, "", execHealth);
            HttpResponse<String> monitorBulkExec = send(base, "monitor", Credentials.MONITOR_PASSWORD, "",
                    "[" + readStatus + "," + execHealth + "]");
            HttpResponse<String> monitorGetExec = send(base, "monitor", Credentials.MONITOR_PASSWORD,
                    "exec/" + operations + "/health", null);
            HttpResponse<String> monitorQueryExec = send(base, "monitor", Credentials.MONITOR_PASSWORD,
                    "?p=/exec/" + operations + "/health", null);
            assertThat(beans.operations.getInvocations()).isEqualTo(before);

            HttpResponse<String> operatorExec = send(base, "operator", Credentials.OPERATOR_PASSWORD, "", execHealth);
            HttpResponse<String> stranger = send(base, "nobody", "x", "read/" + health + "/Status", null);

            assertThat(monitorRead.statusCode()).isEqualTo(200);
            assertThat(object(monitorRead.body())).containsEntry("value", "UP");
            assertThat(monitorBulkRead.statusCode()).isEqualTo(200);
            assertThat(monitorBulkRead.body()).contains("\"value\":\"UP\"");
            assertThat(monitorExec.statusCode()).isEqualTo(403);
            assertThat(monitorBulkExec.statusCode()).isEqualTo(403);
            assertThat(monitorGetExec.statusCode()).isEqualTo(403);
            assertThat(monitorQueryExec.statusCode()).isEqualTo(403);
            assertThat(operatorExec.statusCode()).isEqualTo(200);
            assertThat(value(object(operatorExec.body()))).containsEntry("success", true);
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
    void settingsNeverShowThePassword() {
        JolokiaServerSettings settings = JolokiaServerSettings.authenticated(0, USER, PASSWORD, Path.of("p.xml"), "test");

        assertThat(settings.toString()).doesNotContain(PASSWORD).contains("password=****");
    }

    @Test
    void closeFreesThePort() throws IOException {
        JolokiaServer second = JolokiaServer.start(
                JolokiaServerSettings.authenticated(0, USER, PASSWORD, Credentials.policy(), "test"));
        int port = second.port();
        assertThat(second.url()).isEqualTo(URI.create("http://127.0.0.1:" + port + "/jolokia/"));

        second.close();
        second.close();

        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }
}
