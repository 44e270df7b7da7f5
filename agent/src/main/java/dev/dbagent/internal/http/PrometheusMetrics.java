package dev.dbagent.internal.http;

import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The agent's Dropwizard metrics in the Prometheus text or OpenMetrics format, produced by the
 * Prometheus Java client's Dropwizard bridge ({@link DropwizardExports}) and its exposition
 * writers, with the names and labels of {@link PrometheusNames}. Only the agent's own metrics
 * ({@code dbagent.<agent>.*}) are exported, so a registry shared with the application does not
 * leak the application's metrics here.
 *
 * <p>The bridge turns every Dropwizard metric into a family of its own and refuses two families of
 * one name; with databases and roles as labels, several metrics do share a family (one
 * {@code dbagent_pool_active_connections} per pool). So the metrics are collected in rounds in
 * which no two share a family, and the rounds' data points are merged per family.
 *
 * <p>Thread-safe: each scrape reads the registry afresh; gauges are read on the scraping thread.
 */
final class PrometheusMetrics {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PrometheusMetrics.class);
    private final MetricRegistry registry;
    private final PrometheusNames names;
    private final PrometheusRegistry prometheus = new PrometheusRegistry();
    private final PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
    private final OpenMetricsTextFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();

    /**
     * @param registry the agent's metric registry
     * @param agent the agent name
     */
    PrometheusMetrics(MetricRegistry registry, String agent) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.names = new PrometheusNames(agent);
        prometheus.register((MultiCollector) this::collect);
    }

    /** A rendered scrape: the body and its content type. */
    record Scrape(byte[] body, String contentType) {}

    /**
     * Renders every metric of the agent now.
     *
     * @param accept the request's {@code Accept} header, null if none: OpenMetrics when it asks for
     *     it, the Prometheus text format otherwise
     * @return the exposition
     */
    Scrape scrape(String accept) {
        ExpositionFormatWriter writer = accept != null && openMetrics.accepts(accept) ? openMetrics : text;
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, prometheus.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return new Scrape(out.toByteArray(), writer.getContentType());
    }

    private MetricSnapshots collect() {
        // rounds: the n-th metric of each family goes into round n
        List<Set<String>> rounds = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String name : registry.getNames()) {
            names.map(name).ifPresent(m -> {
                int round = seen.merge(m.name(), 1, Integer::sum) - 1;
                if (round == rounds.size()) {
                    rounds.add(new HashSet<>());
                }
                rounds.get(round).add(name);
            });
        }
        Map<String, List<MetricSnapshot>> byFamily = new LinkedHashMap<>();
        for (Set<String> round : rounds) {
            // the builder hands the bridge out only by registering it, so each round gets a registry of its own
            PrometheusRegistry roundRegistry = new PrometheusRegistry();
            DropwizardExports.builder().dropwizardRegistry(registry)
                    .metricFilter((name, metric) -> round.contains(name)).customLabelMapper(names)
                    .invalidMetricHandler(PrometheusMetrics::skipBrokenMetric).register(roundRegistry);
            for (MetricSnapshot s : roundRegistry.scrape()) {
                byFamily.computeIfAbsent(s.getMetadata().getPrometheusName(), k -> new ArrayList<>()).add(s);
            }
        }
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        byFamily.values().forEach(family -> all.metricSnapshot(merge(family)));
        return all.build();
    }

    /** A gauge that throws is left out of this scrape (and logged) rather than failing the whole scrape. */
    private static boolean skipBrokenMetric(String name, Exception e) {
        LOG.warn("metric {} cannot be read and is left out of the scrape: {}", name, e.toString());
        return true;
    }

    /** One family from the snapshots of its members; they share a type because they share a name. */
    private static MetricSnapshot merge(List<MetricSnapshot> family) {
        MetricSnapshot first = family.get(0);
        String help = PrometheusNames.help(first.getMetadata().getName());
        MetricMetadata metadata = help == null ? first.getMetadata() : new MetricMetadata(first.getMetadata().getName(), help);
        if (first instanceof GaugeSnapshot) {
            List<GaugeSnapshot.GaugeDataPointSnapshot> points = new ArrayList<>();
            family.forEach(s -> points.addAll(((GaugeSnapshot) s).getDataPoints()));
            return new GaugeSnapshot(metadata, points);
        }
        if (first instanceof CounterSnapshot) {
            List<CounterSnapshot.CounterDataPointSnapshot> points = new ArrayList<>();
            family.forEach(s -> points.addAll(((CounterSnapshot) s).getDataPoints()));
            return new CounterSnapshot(metadata, points);
        }
        if (first instanceof SummarySnapshot) {
            List<SummarySnapshot.SummaryDataPointSnapshot> points = new ArrayList<>();
            family.forEach(s -> points.addAll(((SummarySnapshot) s).getDataPoints()));
            return new SummarySnapshot(metadata, points);
        }
        if (family.size() == 1) {
            return first;
        }
        throw new IllegalStateException("cannot merge metric family " + first.getMetadata().getPrometheusName()
                + " of type " + first.getClass().getSimpleName());
    }
}
