package dev.dbagent.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Counter;
import dev.dbagent.DatabaseAgent;
import dev.dbagent.Intent;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.testing.Closer;
import dev.dbagent.testing.EmbeddedPostgres;
import dev.dbagent.testing.MutableClock;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The management HTTP endpoint, through a real HTTP client, against running agents on real PostgreSQL. */
@ExtendWith(PostgresExtension.class)
class ManagementHttpTest {
    @RegisterExtension
    final Closer closer = new Closer();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static AgentConfig config(String name, String url, String user, String password,
            Consumer<AgentConfig.DatabaseBuilder> main, Consumer<AgentConfig.Builder> more) {
        AgentConfig.Builder b = AgentConfig.builder().name(name).environment(Environment.TEST)
                .set("dbagent.http.enabled", true).set("dbagent.http.port", 0)
                .set("dbagent.health.intervalSeconds", 1)
                .database("main", d -> main.accept(d.url(url).user(user).password(Secret.of(password))));
        more.accept(b);
        return b.build();
    }

    private static AgentConfig config(TestDatabase db, String name, Consumer<AgentConfig.Builder> more) {
        return config(name, db.jdbcUrl(), db.user(), db.password(), d -> {}, more);
    }

    private static AgentConfig config(TestDatabase db, String name, Consumer<AgentConfig.DatabaseBuilder> main,
            Consumer<AgentConfig.Builder> more) {
        return config(name, db.jdbcUrl(), db.user(), db.password(), main, more);
    }

    private HttpResponse<String> get(URI base, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readinessFailsNamingTheDownChecksWhileTheDatabaseIsStoppedAndRecoversWhenItReturns() throws Exception {
        EmbeddedPostgres pg = closer.add(EmbeddedPostgres.builder().start());
        pg.createDatabase("probed");
        DatabaseAgent agent = closer.add(DatabaseAgent.builder(config("probed", pg.jdbcUrl("probed"), pg.user(),
                pg.password(), d -> d.set("breaker.waitOpenMillis", 200), b -> {})).start());
        URI base = agent.httpUrl().orElseThrow();
        assertThat(base.toString()).matches("http://127\\.0\\.0\\.1:\\d+/");

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> ready = get(base, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\":\"UP\"}\n");
        });
        assertThat(get(base, "/health/ready").headers().firstValue("content-type")).contains("application/json");

        pg.stop();
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> ready = get(base, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).startsWith("{\"status\":\"DOWN\",\"checks\":{")
                    .contains("\"main.primary.roundTrip\":\"DOWN\"");
        });
        // the agent itself is alive: restarting the application would not bring the database back
        HttpResponse<String> live = get(base, "/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}\n");
        String down = get(base, "/health/ready").body();
        assertThat(down).doesNotContain("127.0.0.1", "jdbc:", "Connection", pg.password());
        assertThat(series(get(base, "/metrics").body())).containsEntry("dbagent_health_status{agent=\"probed\"}", 2.0)
                .containsEntry("dbagent_health_check_status{agent=\"probed\",check=\"main.primary.roundTrip\"}", 2.0);

        pg.start();
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> ready = get(base, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\":\"UP\"}\n");
        });
        assertThat(series(get(base, "/metrics").body())).containsEntry("dbagent_health_status{agent=\"probed\"}", 0.0);
    }

    @Test
    void metricsArePrometheusSeriesOfPoolsBreakersServicesSlowQueriesAndHealth(TestDatabase db) throws Exception {
        DatabaseAgent agent = closer.add(DatabaseAgent.builder(config(db, "scraped",
                d -> d.maxTotal(4).slowQueryThreshold(Duration.ofMillis(1)),
                b -> b.database("audit", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password()))
                        .maxTotal(3)))).start());
        // an application metric in the same registry stays the application's
        Counter appCounter = agent.metrics().counter("app.requests");
        appCounter.inc(7);
        for (int i = 0; i < 3; i++) {
            agent.service("main").read(h -> h.createQuery("SELECT pg_sleep(0.01)").mapTo(String.class).one());
        }
        agent.service("audit").write(h -> h.execute("SELECT 1"));
        agent.health().runNow();

        HttpResponse<String> scrape = get(agent.httpUrl().orElseThrow(), "/metrics");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("content-type")).contains("text/plain; version=0.0.4; charset=utf-8");
        String body = scrape.body();
        assertThat(body).contains("# TYPE dbagent_pool_active_connections gauge",
                "# HELP dbagent_health_check_status Health of one check in the last report: 0 UP, 1 DEGRADED, 2 DOWN.", "# TYPE dbagent_service_errors_total counter",
                "# TYPE dbagent_service_calls_seconds summary").doesNotContain("app_requests", "app.requests");
        Map<String, Double> s = series(body);
        assertThat(s)
                .containsEntry("dbagent_pool_max_connections{agent=\"scraped\",database=\"main\",role=\"primary\"}", 4.0)
                .containsEntry("dbagent_pool_max_connections{agent=\"scraped\",database=\"audit\",role=\"primary\"}", 3.0)
                .containsEntry("dbagent_pool_active_connections{agent=\"scraped\",database=\"main\",role=\"primary\"}", 0.0)
                .containsEntry("dbagent_pool_breaker_state{agent=\"scraped\",database=\"main\",role=\"primary\"}", 0.0)
                .containsEntry("dbagent_service_breaker_state{agent=\"scraped\",database=\"audit\"}", 0.0)
                .containsEntry("dbagent_service_calls_seconds_count{agent=\"scraped\",database=\"main\",kind=\"read\"}", 3.0)
                .containsEntry("dbagent_service_calls_seconds_count{agent=\"scraped\",database=\"audit\",kind=\"write\"}", 1.0)
                .containsEntry("dbagent_service_slow_queries_total{agent=\"scraped\",database=\"main\"}", 3.0)
                .containsEntry("dbagent_service_errors_total{agent=\"scraped\",class=\"syntax\",database=\"main\"}", 0.0)
                .containsEntry("dbagent_health_status{agent=\"scraped\"}", 0.0)
                .containsEntry("dbagent_health_check_status{agent=\"scraped\",check=\"audit.primary.roundTrip\"}", 0.0)
                .containsEntry("dbagent_health_check_status{agent=\"scraped\",check=\"main.sessions\"}", 0.0);
        assertThat(s.get("dbagent_pool_open_connections{agent=\"scraped\",database=\"main\",role=\"primary\"}"))
                .isBetween(1.0, 4.0);
        assertThat(s.get("dbagent_service_calls_seconds{agent=\"scraped\",database=\"main\",kind=\"read\",quantile=\"0.5\"}"))
                .isGreaterThanOrEqualTo(0.01).isLessThan(60.0);
        assertThat(s.get("dbagent_pool_borrow_wait_microseconds_count{agent=\"scraped\",database=\"main\",role=\"primary\"}"))
                .isGreaterThanOrEqualTo(3.0);

        HttpResponse<String> open = client.send(HttpRequest.newBuilder(agent.httpUrl().orElseThrow().resolve("/metrics"))
                .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(open.headers().firstValue("content-type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/openmetrics-text"));
        assertThat(open.body()).endsWith("# EOF\n")
                .contains("dbagent_service_slow_queries_total{agent=\"scraped\",database=\"main\"} 3");
    }

    @Test
    void metricsNeedTheConfiguredUserWhileProbesNeedNone(TestDatabase db) throws Exception {
        DatabaseAgent agent = closer.add(DatabaseAgent.builder(config(db, "guarded", b -> b
                .set("dbagent.http.auth", true).set("dbagent.http.user", "prometheus")
                .set("dbagent.http.password", Secret.of("scrape-s3cret")))).start());
        URI metrics = agent.httpUrl().orElseThrow().resolve("/metrics");

        HttpResponse<String> none = get(agent.httpUrl().orElseThrow(), "/metrics");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("www-authenticate")).contains("Basic realm=\"dbagent\", charset=\"UTF-8\"");
        assertThat(none.body()).doesNotContain("dbagent_");
        assertThat(client.send(HttpRequest.newBuilder(metrics).header("Authorization", basic("prometheus", "wrong")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        assertThat(client.send(HttpRequest.newBuilder(metrics).header("Authorization", basic("other", "scrape-s3cret")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        HttpResponse<String> ok = client.send(HttpRequest.newBuilder(metrics)
                .header("Authorization", basic("prometheus", "scrape-s3cret")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("dbagent_pool_max_connections{agent=\"guarded\"");
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(get(agent.httpUrl().orElseThrow(), "/health/ready").statusCode()).isEqualTo(200));
        assertThat(get(agent.httpUrl().orElseThrow(), "/health/live").statusCode()).isEqualTo(200);
        assertThat(agent.config().toString()).doesNotContain("scrape-s3cret");
    }

    @Test
    void degradedIsReadyByDefaultAndNotReadyWhenConfiguredSo(TestDatabase db) throws Exception {
        DatabaseAgent lenient = closer.add(DatabaseAgent.builder(config(db, "lenient", d -> d.maxTotal(5), b -> {}))
                .start());
        DatabaseAgent strict = closer.add(DatabaseAgent.builder(config(db, "strict", d -> d.maxTotal(5),
                b -> b.set("dbagent.http.readyWhenDegraded", false))).start());
        // four of five connections of each pool in use: saturation (80 %) is DEGRADED, the round trip still works
        for (DatabaseAgent agent : new DatabaseAgent[] {lenient, strict}) {
            for (int i = 0; i < 4; i++) {
                Connection held = agent.dataSource("main", Intent.WRITE).getConnection();
                closer.add(held);
            }
        }
        {
            lenient.health().runNow();
            strict.health().runNow();
            HttpResponse<String> ok = get(lenient.httpUrl().orElseThrow(), "/health/ready");
            HttpResponse<String> refused = get(strict.httpUrl().orElseThrow(), "/health/ready");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("{\"status\":\"DEGRADED\",\"checks\":{\"main.primary.saturation\":\"DEGRADED\"}}\n");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).isEqualTo("{\"status\":\"DEGRADED\",\"checks\":{\"main.primary.saturation\":\"DEGRADED\"}}\n");
        }
    }

    @Test
    void livenessFailsWhenTheHealthScheduleHasNotReportedForTooLong(TestDatabase db) throws Exception {
        MutableClock clock = new MutableClock();
        DatabaseAgent agent = closer.add(DatabaseAgent.builder(config(db, "stale",
                b -> b.set("dbagent.health.intervalSeconds", 3600))).clock(clock).start());
        URI base = agent.httpUrl().orElseThrow();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> agent.health().lastReport().isPresent());
        assertThat(get(base, "/health/live").statusCode()).isEqualTo(200);
        // the next scheduled run is an hour away; three intervals and a minute later the schedule counts as dead
        clock.advance(Duration.ofHours(3).plusSeconds(59));
        assertThat(get(base, "/health/live").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(2));
        HttpResponse<String> stale = get(base, "/health/live");
        assertThat(stale.statusCode()).isEqualTo(503);
        assertThat(stale.body()).isEqualTo("{\"status\":\"DOWN\",\"checks\":{\"healthSchedule\":\"STALE\"}}\n");
    }

    @Test
    void onlyGetAndHeadAreServedAndNothingElseIsFound(TestDatabase db) throws Exception {
        DatabaseAgent agent = closer.add(DatabaseAgent.builder(config(db, "methods", b -> {})).start());
        URI base = agent.httpUrl().orElseThrow();
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(base.resolve("/health/live"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).contains("GET, HEAD");
        HttpResponse<String> head = client.send(HttpRequest.newBuilder(base.resolve("/health/live"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("content-length")).contains("16");
        assertThat(head.body()).isEmpty();
        HttpResponse<String> missing = get(base, "/jolokia/");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(get(base, "/health/live?verbose=true").statusCode()).isEqualTo(200);
    }

    @Test
    void aClientThatDoesNotFinishItsRequestIsAnsweredWithATimeout(TestDatabase db) throws Exception {
        DatabaseAgent agent = closer.add(DatabaseAgent.builder(config(db, "slowloris",
                b -> b.set("dbagent.http.requestTimeoutMillis", 300).set("dbagent.http.threads", 1))).start());
        URI base = agent.httpUrl().orElseThrow();
        try (Socket slow = new Socket(base.getHost(), base.getPort())) {
            slow.setSoTimeout(15_000);
            OutputStream out = slow.getOutputStream();
            out.write("GET /health/live HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = slow.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("Connection: close");
        }
        // the only request thread is free again
        assertThat(get(base, "/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void servesHttpsWithTheConfiguredKeystore(TestDatabase db, @TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("http.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "dbagent", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit-tls", "-keypass", "changeit-tls").redirectErrorStream(true).start();
        String keytoolOutput = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor()).as(keytoolOutput).isZero();

        DatabaseAgent agent = closer.add(DatabaseAgent.builder(config(db, "tls", b -> b
                .set("dbagent.http.tls.keystore", keystore).set("dbagent.http.tls.keystorePassword", Secret.of("changeit-tls"))))
                .start());
        URI base = agent.httpUrl().orElseThrow();
        assertThat(base.getScheme()).isEqualTo("https");

        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trust.load(in, "changeit-tls".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        HttpClient trusting = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> live = trusting.send(HttpRequest.newBuilder(base.resolve("/health/live")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}\n");
        assertThat(trusting.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("dbagent_pool_max_connections{agent=\"tls\"");

        // a client that does not trust the certificate gets no answer at all
        Throwable untrusted = org.assertj.core.api.Assertions.catchThrowable(() -> client.send(
                HttpRequest.newBuilder(base.resolve("/health/live")).build(), HttpResponse.BodyHandlers.ofString()));
        assertThat(untrusted).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void stoppingTheAgentClosesThePortAndEndsTheRequestThreads(TestDatabase db) throws Exception {
        DatabaseAgent agent = DatabaseAgent.builder(config(db, "closing", b -> {})).start();
        URI base = agent.httpUrl().orElseThrow();
        assertThat(get(base, "/health/live").statusCode()).isEqualTo(200);
        assertThat(threads("dbagent-http-closing-")).isNotEmpty();
        agent.close();
        assertThat(agent.httpUrl()).isEmpty();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> get(base, "/health/live")))
                .isInstanceOf(java.net.ConnectException.class);
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(threads("dbagent-http-closing-")).isEmpty());
    }

    private static java.util.List<String> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith(prefix)).toList();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$",
            Pattern.MULTILINE);

    /** Parses the text format: every sample line as "name{labels}" to value. */
    static Map<String, Double> series(String exposition) {
        Map<String, Double> s = new LinkedHashMap<>();
        Matcher m = SAMPLE.matcher(exposition);
        while (m.find()) {
            s.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return s;
    }
}
