package dev.dbagent.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of one run of every check. Immutable.
 *
 * @param status the worst status of all checks (UP when there are none)
 * @param checks each check's result by name, in the order the checks ran
 * @param issues every issue of every check, most severe first
 * @param ranAt when the run started
 * @param took how long the whole run took
 */
public record HealthReport(HealthStatus status, Map<String, CheckResult> checks, List<Issue> issues,
                           Instant ranAt, Duration took) {

    /**
     * Validates and copies (keeping the check order).
     *
     * @param status the worst status of all checks (UP when there are none)
     * @param checks each check's result by name, in the order the checks ran
     * @param issues every issue of every check, most severe first
     * @param ranAt when the run started
     * @param took how long the whole run took
     */
    public HealthReport {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(ranAt, "ranAt");
        Objects.requireNonNull(took, "took");
        checks = Collections.unmodifiableMap(new LinkedHashMap<>(checks));
        issues = List.copyOf(issues);
    }

    /**
     * @return a multi-line text for logs, jmxterm and the command line, e.g.
     *     <pre>
     * health DEGRADED at 2026-01-01T00:00:00Z (took 12 ms)
     *   UP        orders.roundTrip   3 ms  SELECT 1 in 3 ms on primary
     *   DEGRADED  orders.sessions    5 ms  1 long-transaction, 0 idle-in-transaction session(s)
     * issues:
     *   WARNING [orders.sessions] session pid 4711 ...
     *     </pre>
     */
    public String toText() {
        int width = 5;
        for (String name : checks.keySet()) {
            width = Math.max(width, name.length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append("health ").append(status).append(" at ").append(ranAt)
                .append(" (took ").append(took.toMillis()).append(" ms)\n");
        for (Map.Entry<String, CheckResult> e : checks.entrySet()) {
            CheckResult r = e.getValue();
            sb.append(String.format("  %-9s %-" + width + "s %5d ms  %s%n", r.status(), e.getKey(),
                    r.latency().toMillis(), r.message()));
        }
        if (issues.isEmpty()) {
            sb.append("issues: none\n");
        } else {
            sb.append("issues:\n");
            for (Issue i : issues) {
                sb.append("  ").append(i.toText()).append('\n');
            }
        }
        return sb.toString();
    }
}
