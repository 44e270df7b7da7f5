package dev.dbagent.internal.http;

import dev.dbagent.health.CheckResult;
import dev.dbagent.health.HealthMonitor;
import dev.dbagent.health.HealthReport;
import dev.dbagent.health.HealthStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The answers of {@code /health/live} and {@code /health/ready}, from state the agent already has:
 * neither runs a check or touches a database, so a probe is cheap and cannot pile up behind a
 * slow database.
 *
 * <ul>
 *   <li><b>live</b>: the agent runs and its health schedule is alive — its last report (or, before
 *       the first, the start) is not older than {@link #staleAfter()}. A dead database does not
 *       make the agent dead: restarting the application would not bring the database back.
 *   <li><b>ready</b>: the last report is UP, or DEGRADED when {@code readyWhenDegraded}. The body
 *       names every check that is not UP with its state, nothing more (no messages, no hosts).
 * </ul>
 *
 * <p>Thread-safe.
 */
final class Probes {
    /**
     * One probe answer.
     *
     * @param status the HTTP status, 200 or 503
     * @param json the body: {@code {"status":"UP"}} or with {@code "checks":{"name":"STATE",...}}
     */
    record Answer(int status, String json) {}

    private final BooleanSupplier running;
    private final Supplier<HealthMonitor> health;
    private final Duration interval;
    private final boolean readyWhenDegraded;
    private final Clock clock;
    private final Instant startedAt;

    /**
     * @param running whether the agent is running
     * @param health the agent's monitor, null while there is none
     * @param interval the health schedule's interval
     * @param readyWhenDegraded whether DEGRADED counts as ready
     * @param clock the agent's clock (the one its reports are stamped with)
     * @param startedAt when the agent started
     */
    Probes(BooleanSupplier running, Supplier<HealthMonitor> health, Duration interval, boolean readyWhenDegraded,
            Clock clock, Instant startedAt) {
        this.running = Objects.requireNonNull(running, "running");
        this.health = Objects.requireNonNull(health, "health");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.readyWhenDegraded = readyWhenDegraded;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
    }

    /**
     * A report older than this means the schedule stopped: three intervals, plus a minute for a
     * run whose checks each wait out their timeouts against an unreachable database.
     */
    Duration staleAfter() {
        return interval.multipliedBy(3).plusMinutes(1);
    }

    Answer live() {
        HealthMonitor monitor = health.get();
        if (!running.getAsBoolean()) {
            return down("agent", "DOWN");
        }
        if (monitor == null || !monitor.isRunning()) {
            return down("healthSchedule", "DOWN");
        }
        Instant last = monitor.lastReport().map(HealthReport::ranAt).orElse(startedAt);
        if (Duration.between(last, clock.instant()).compareTo(staleAfter()) > 0) {
            return down("healthSchedule", "STALE");
        }
        return new Answer(200, "{\"status\":\"UP\"}");
    }

    Answer ready() {
        HealthMonitor monitor = health.get();
        if (!running.getAsBoolean() || monitor == null) {
            return down("agent", "DOWN");
        }
        Optional<HealthReport> report = monitor.lastReport();
        if (report.isEmpty()) {
            return new Answer(503, "{\"status\":\"STARTING\"}");
        }
        HealthReport r = report.get();
        Map<String, String> notUp = new LinkedHashMap<>();
        for (Map.Entry<String, CheckResult> e : r.checks().entrySet()) {
            if (e.getValue().status() != HealthStatus.UP) {
                notUp.put(e.getKey(), e.getValue().status().name());
            }
        }
        boolean ready = r.status() == HealthStatus.UP || r.status() == HealthStatus.DEGRADED && readyWhenDegraded;
        return new Answer(ready ? 200 : 503, json(r.status().name(), notUp));
    }

    private static Answer down(String what, String state) {
        return new Answer(503, json("DOWN", Map.of(what, state)));
    }

    static String json(String status, Map<String, String> checks) {
        StringBuilder b = new StringBuilder("{\"status\":").append(quote(status));
        if (!checks.isEmpty()) {
            b.append(",\"checks\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : checks.entrySet()) {
                b.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
                first = false;
            }
            b.append('}');
        }
        return b.append('}').toString();
    }

    /** A JSON string; check names are the embedder's, so anything may need escaping. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
