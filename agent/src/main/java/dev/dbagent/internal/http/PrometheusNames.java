package dev.dbagent.internal.http;

import io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.MapperConfig;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps the agent's Dropwizard metric names to Prometheus names and labels: the agent, database,
 * role, call kind, error class and health check become labels, so one series family covers every
 * database, e.g. {@code dbagent.demo.main.pool.primary.active} becomes
 * {@code dbagent_pool_active_connections{agent="demo",database="main",role="primary"}}.
 *
 * <p>The Prometheus client's own {@link CustomLabelMapper} matches glob patterns whose parts must
 * be two characters or more and cannot contain dots, but agent names may contain dots and health
 * check names do; so this mapper parses the names itself, knowing the agent's layout, and plugs
 * into the bridge through {@link CustomLabelMapper}'s two lookup methods.
 *
 * <p>Immutable and thread-safe.
 */
final class PrometheusNames extends CustomLabelMapper {
    /** One mapped series: its family name and label pairs. */
    record Mapped(String name, List<String> labelNames, List<String> labelValues) {}

    private static final Map<String, String> POOL = Map.of(
            "active", "dbagent_pool_active_connections",
            "idle", "dbagent_pool_idle_connections",
            "total", "dbagent_pool_open_connections",
            "max", "dbagent_pool_max_connections",
            "waiting", "dbagent_pool_waiting_borrowers",
            "breakerState", "dbagent_pool_breaker_state",
            "borrowWaitMicros", "dbagent_pool_borrow_wait_microseconds");
    private static final Map<String, String> SERVICE = Map.of(
            "retries", "dbagent_service_retries",
            "outcome-unknown", "dbagent_service_outcome_unknown",
            "slow-queries", "dbagent_service_slow_queries",
            "breaker.state", "dbagent_service_breaker_state");
    /** What each family means, for its HELP line (the bridge's own names a Java lambda class). */
    private static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("dbagent_pool_active_connections", "Connections borrowed from the pool now."),
            Map.entry("dbagent_pool_idle_connections", "Idle connections in the pool now."),
            Map.entry("dbagent_pool_open_connections", "Connections the pool holds open now (active and idle)."),
            Map.entry("dbagent_pool_max_connections", "Most connections the pool opens (pool.maxTotal)."),
            Map.entry("dbagent_pool_waiting_borrowers", "Threads waiting to borrow a connection now."),
            Map.entry("dbagent_pool_breaker_state",
                    "Pool circuit breaker: 0 closed, 1 open, 2 half-open, 3 disabled, 4 forced open, 5 metrics only."),
            Map.entry("dbagent_pool_borrow_wait_microseconds", "Time to borrow a connection, in microseconds."),
            Map.entry("dbagent_service_calls_seconds", "Duration of service calls by kind (read, write, transaction)."),
            Map.entry("dbagent_service_errors", "Failures that reached the caller, by class."),
            Map.entry("dbagent_service_retries", "Retries of service calls."),
            Map.entry("dbagent_service_outcome_unknown", "Transactions whose commit outcome could not be resolved."),
            Map.entry("dbagent_service_slow_queries", "Service calls slower than slowQueryMillis."),
            Map.entry("dbagent_service_breaker_state",
                    "Service circuit breaker: 0 closed, 1 open, 2 half-open, 3 disabled, 4 forced open, 5 metrics only."),
            Map.entry("dbagent_health_status", "Overall health of the last report: 0 UP, 1 DEGRADED, 2 DOWN."),
            Map.entry("dbagent_health_check_status", "Health of one check in the last report: 0 UP, 1 DEGRADED, 2 DOWN."));
    private static final List<String> CALL_KINDS = List.of("read", "write", "transaction");

    private final String agent;
    private final String prefix;

    /**
     * @param agent the agent name; only metrics named {@code dbagent.<agent>.*} are mapped
     */
    PrometheusNames(String agent) {
        // the superclass insists on at least one glob; this one never matches, the overrides do the work
        super(List.of(new MapperConfig("dbagent.unmapped.never", "dbagent_unmapped", Map.of())));
        this.agent = Objects.requireNonNull(agent, "agent");
        this.prefix = "dbagent." + agent + ".";
    }

    /** Health gauge of the overall status: {@code dbagent.<agent>.health.status}. */
    static String healthStatusMetric(String agent) {
        return "dbagent." + agent + ".health.status";
    }

    /** Health gauge of one check: {@code dbagent.<agent>.health.check.<check>}. */
    static String healthCheckMetric(String agent, String check) {
        return "dbagent." + agent + ".health.check." + check;
    }

    /**
     * @param dropwizardName a metric name from the agent's registry
     * @return its Prometheus family and labels, empty for a metric that is not the agent's
     */
    Optional<Mapped> map(String dropwizardName) {
        if (!dropwizardName.startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = dropwizardName.substring(prefix.length());
        if (rest.equals("health.status")) {
            return Optional.of(mapped("dbagent_health_status"));
        }
        if (rest.startsWith("health.check.") && rest.length() > "health.check.".length()) {
            return Optional.of(mapped("dbagent_health_check_status", "check", rest.substring("health.check.".length())));
        }
        int dot = rest.indexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        // database names never contain dots, so the first segment is the database
        String db = rest.substring(0, dot);
        String tail = rest.substring(dot + 1);
        if (tail.startsWith("pool.")) {
            String[] parts = tail.split("\\.");
            String name = parts.length == 3 ? POOL.get(parts[2]) : null;
            return name == null ? Optional.empty() : Optional.of(mapped(name, "database", db, "role", parts[1]));
        }
        for (String kind : CALL_KINDS) {
            if (tail.equals(kind + ".calls")) {
                return Optional.of(mapped("dbagent_service_calls_seconds", "database", db, "kind", kind));
            }
        }
        if (tail.startsWith("service.errors.")) {
            return Optional.of(mapped("dbagent_service_errors", "database", db, "class",
                    tail.substring("service.errors.".length())));
        }
        if (tail.startsWith("service.")) {
            String name = SERVICE.get(tail.substring("service.".length()));
            return name == null ? Optional.empty() : Optional.of(mapped(name, "database", db));
        }
        return Optional.empty();
    }

    /** @return the HELP text of a family this mapper produces, null for another */
    static String help(String family) {
        return HELP.get(family);
    }

    private Mapped mapped(String name, String... pairs) {
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        names.add("agent");
        values.add(agent);
        for (int i = 0; i < pairs.length; i += 2) {
            names.add(pairs[i]);
            values.add(pairs[i + 1]);
        }
        return new Mapped(name, List.copyOf(names), List.copyOf(values));
    }

    @Override
    public String getName(String dropwizardName) {
        return map(dropwizardName).map(Mapped::name).orElse(dropwizardName);
    }

    @Override
    public Labels getLabels(String dropwizardName, List<String> additionalLabelNames,
            List<String> additionalLabelValues) {
        Optional<Mapped> m = map(dropwizardName);
        List<String> names = new ArrayList<>(m.map(Mapped::labelNames).orElse(List.of()));
        List<String> values = new ArrayList<>(m.map(Mapped::labelValues).orElse(List.of()));
        names.addAll(additionalLabelNames);
        values.addAll(additionalLabelValues);
        return Labels.of(names, values);
    }
}
