package dev.dbagent.internal.http;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.dbagent.health.CheckResult;
import dev.dbagent.health.HealthMonitor;
import dev.dbagent.health.HealthReport;
import dev.dbagent.health.HealthStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Health as numbers in the agent's metric registry, from the monitor's last report (never a run of
 * its own): {@code dbagent.<agent>.health.status} and {@code dbagent.<agent>.health.check.<check>},
 * each 0 for UP, 1 for DEGRADED and 2 for DOWN ({@link HealthStatus#ordinal()}), absent before the
 * first report. Prometheus sees them as {@code dbagent_health_status} and
 * {@code dbagent_health_check_status{check=...}}; JMX as {@code dev.dbagent.metrics} gauges.
 *
 * <p>Not instantiable; thread-safe.
 */
public final class HealthGauges {
    private HealthGauges() {}

    /**
     * Registers one gauge for the overall status and one per check the monitor has now.
     *
     * @param registry the agent's registry
     * @param agent the agent name
     * @param health the agent's monitor
     * @return removes exactly the gauges registered
     */
    public static Runnable register(MetricRegistry registry, String agent, HealthMonitor health) {
        List<String> registered = new ArrayList<>();
        String overall = PrometheusNames.healthStatusMetric(agent);
        registry.register(overall, (Gauge<Integer>) () -> health.lastReport().map(r -> r.status().ordinal()).orElse(null));
        registered.add(overall);
        for (String check : health.checkNames()) {
            String name = PrometheusNames.healthCheckMetric(agent, check);
            registry.register(name, (Gauge<Integer>) () -> health.lastReport().map(HealthReport::checks)
                    .map(checks -> checks.get(check)).map(CheckResult::status).map(Enum::ordinal).orElse(null));
            registered.add(name);
        }
        return () -> registered.forEach(registry::remove);
    }
}
