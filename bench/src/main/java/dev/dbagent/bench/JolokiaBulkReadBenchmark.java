package dev.dbagent.bench;

import dev.dbagent.DatabaseAgent;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a monitoring scraper pays: one Jolokia HTTP request reading every attribute of every
 * dbagent MBean of a running agent (agent, pool, both breakers, service, operations, health), and
 * the same with the Dropwizard metric MBeans ({@code dev.dbagent.metrics}) too. Sample mode, so
 * the p99 is reported.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class JolokiaBulkReadBenchmark {
    private BenchDb db;
    private DatabaseAgent agent;
    private HttpClient http;
    private HttpRequest managementBeans;
    private HttpRequest withMetrics;

    @Setup
    public void setUp() throws Exception {
        db = BenchDb.open();
        AgentConfig config = AgentConfig.builder().name("bench").environment(Environment.TEST)
                .database("main", d -> d.url(db.jdbcUrl()).user(db.user).password(Secret.of(db.password))
                        .maxTotal(2).minIdle(1).set("currentSchema", "public").set("sslmode", "disable"))
                .set("dbagent.jolokia.enabled", true)
                .set("dbagent.jolokia.port", 0)
                .build();
        agent = DatabaseAgent.builder(config).start();
        agent.service("main").read(h -> h.createQuery("SELECT 1").mapTo(int.class).one()); // some figures to read
        URI url = agent.jolokiaUrl().orElseThrow(() -> new IllegalStateException("Jolokia did not start"));
        http = HttpClient.newHttpClient();
        managementBeans = bulkRead(url, "dev.dbagent:*");
        withMetrics = bulkRead(url, "dev.dbagent*:*");
        String first = read(managementBeans);
        if (!first.contains("\"status\":200") || !first.contains("type=Pool")) {
            throw new IllegalStateException("the bulk read did not read the pool MBean: " + first);
        }
    }

    private static HttpRequest bulkRead(URI url, String pattern) {
        String body = "{\"type\":\"read\",\"mbean\":\"" + pattern + "\",\"config\":{\"ignoreErrors\":true}}";
        // a tool, not a browser: no Origin header (the agent refuses browser origins it was not given)
        return HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private String read(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    @TearDown
    public void tearDown() {
        agent.close();
        db.close();
    }

    /** Every attribute of every {@code dev.dbagent} MBean in one request. */
    @Benchmark
    public String everyDbagentAttribute() throws Exception {
        return read(managementBeans);
    }

    /** The same plus every Dropwizard metric MBean of the agent. */
    @Benchmark
    public String everyDbagentAndMetricAttribute() throws Exception {
        return read(withMetrics);
    }
}
