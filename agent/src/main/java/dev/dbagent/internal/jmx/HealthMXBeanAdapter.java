package dev.dbagent.internal.jmx;

import dev.dbagent.health.CheckResult;
import dev.dbagent.health.HealthMonitor;
import dev.dbagent.health.HealthReport;
import dev.dbagent.health.HealthStatusChange;
import dev.dbagent.health.Issue;
import dev.dbagent.mbeans.HealthCheckInfo;
import dev.dbagent.mbeans.HealthMXBean;
import dev.dbagent.mbeans.HealthReportInfo;
import dev.dbagent.mbeans.IssueInfo;
import dev.dbagent.mbeans.Notifications;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.management.ObjectName;

/**
 * {@link HealthMXBean} over a {@link HealthMonitor}, emitting {@value Notifications#HEALTH_STATUS}
 * whenever the overall status changes between runs - including the first run, reported as a
 * change from {@code UNKNOWN}.
 *
 * <p>Thread-safe. Getters read the monitor's last report and never block; {@link #runNow()} and
 * {@link #runNowReport()} run every check on the calling thread (each check bounded by its own
 * timeout) and wait for a run already in progress.
 */
final class HealthMXBeanAdapter extends InstanceBroadcaster implements HealthMXBean {
    /** Status shown before the first run. */
    static final String UNKNOWN = "UNKNOWN";
    private static final int SUMMARY_ISSUES = 3;

    private final HealthMonitor monitor;
    private final ObjectName name;
    private final AtomicLong sequence = new AtomicLong();
    private final Consumer<HealthStatusChange> listener = this::onChange;

    /* set once by AgentManagement before registration; "" when the agent has no instance id */

    /**
     * @param monitor the monitor
     * @param name this bean's ObjectName (the notifications' source)
     */
    HealthMXBeanAdapter(HealthMonitor monitor, ObjectName name) {
        super(Notifications.healthStatusInfo());
        this.monitor = Objects.requireNonNull(monitor, "monitor");
        this.name = Objects.requireNonNull(name, "name");
        monitor.addListener(listener);
    }

    /** Stops listening to the monitor. Idempotent. */
    void close() {
        monitor.removeListener(listener);
    }

    private void onChange(HealthStatusChange change) {
        HealthReport report = change.report();
        String from = change.previous() == null ? UNKNOWN : change.previous().name();
        sendNotification(Notifications.healthStatus(name, sequence.incrementAndGet(),
                report.ranAt().plus(report.took()).toEpochMilli(), from, change.current().name(), summary(report)));
    }

    /** The most severe issues on one line, {@code ""} if none. */
    static String summary(HealthReport report) {
        String s = report.issues().stream().limit(SUMMARY_ISSUES).map(Issue::toText)
                .map(t -> t.replace('\n', ' ')).collect(Collectors.joining("; "));
        int more = report.issues().size() - SUMMARY_ISSUES;
        return more > 0 ? s + "; and " + more + " more" : s;
    }


    @Override
    public String getStatus() {
        return monitor.lastReport().map(r -> r.status().name()).orElse(UNKNOWN);
    }

    @Override
    public String getLastRunAt() {
        return monitor.lastReport().map(r -> Iso.of(r.ranAt())).orElse("");
    }

    @Override
    public long getLastRunMillis() {
        return monitor.lastReport().map(r -> r.took().toMillis()).orElse(0L);
    }

    @Override
    public HealthCheckInfo[] getChecks() {
        return monitor.lastReport().map(HealthMXBeanAdapter::checks).orElse(new HealthCheckInfo[0]);
    }

    @Override
    public IssueInfo[] getIssues() {
        return monitor.lastReport().map(HealthMXBeanAdapter::issues).orElse(new IssueInfo[0]);
    }

    @Override
    public String runNow() {
        return run("runNow").toText();
    }

    @Override
    public HealthReportInfo runNowReport() {
        HealthReport r = run("runNowReport");
        return new HealthReportInfo(r.status().name(), Iso.of(r.ranAt()), r.took().toMillis(), checks(r), issues(r));
    }

    private HealthReport run(String operation) {
        try {
            return monitor.runNow();
        } catch (RuntimeException e) {
            throw JmxErrors.translate(operation, e);
        }
    }

    private static HealthCheckInfo[] checks(HealthReport r) {
        HealthCheckInfo[] out = new HealthCheckInfo[r.checks().size()];
        int i = 0;
        for (Map.Entry<String, CheckResult> e : r.checks().entrySet()) {
            CheckResult c = e.getValue();
            out[i++] = new HealthCheckInfo(e.getKey(), c.status().name(), c.latency().toMillis(), c.message());
        }
        return out;
    }

    private static IssueInfo[] issues(HealthReport r) {
        return r.issues().stream().map(i -> new IssueInfo(i.severity().name(), i.check(), i.message()))
                .toArray(IssueInfo[]::new);
    }

    @Override
    public String toString() {
        return "HealthMXBeanAdapter[" + name + "]";
    }
}
