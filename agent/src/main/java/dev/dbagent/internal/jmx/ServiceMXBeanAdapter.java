package dev.dbagent.internal.jmx;

import dev.dbagent.mbeans.ErrorCountInfo;
import dev.dbagent.mbeans.ServiceMXBean;
import dev.dbagent.mbeans.SlowQueryInfo;
import dev.dbagent.service.DatabaseService;
import dev.dbagent.service.SlowQuery;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link ServiceMXBean} over one {@link DatabaseService}. Thread-safe; every getter is a snapshot
 * of the service's counters and slow-query buffer and never touches the database. The SQL shown
 * is already redacted by the service.
 */
final class ServiceMXBeanAdapter implements ServiceMXBean {
    private final DatabaseService service;

    /** @param service the service */
    ServiceMXBeanAdapter(DatabaseService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    @Override
    public String getDatabase() {
        return service.database();
    }

    @Override
    public long getCalls() {
        return service.callCount();
    }

    @Override
    public long getErrors() {
        return service.errorCount();
    }

    @Override
    public ErrorCountInfo[] getErrorsByClass() {
        Map<String, Long> byClass = service.errorsByExceptionClass();
        return byClass.entrySet().stream()
                .map(e -> new ErrorCountInfo(e.getKey(), e.getValue()))
                .toArray(ErrorCountInfo[]::new);
    }

    @Override
    public long getRetries() {
        return service.retryCount();
    }

    @Override
    public long getOutcomeUnknown() {
        return service.outcomeUnknownCount();
    }

    @Override
    public long getSlowQueryCount() {
        return service.slowQueryCount();
    }

    @Override
    public SlowQueryInfo[] getRecentSlowQueries() {
        List<SlowQuery> slow = service.slowQueries();
        return slow.stream()
                .map(q -> new SlowQueryInfo(q.sql(), q.duration().toMillis(), q.database(), q.role(), q.callSite(),
                        Iso.of(q.at())))
                .toArray(SlowQueryInfo[]::new);
    }

    @Override
    public String toString() {
        return "ServiceMXBeanAdapter[" + service.database() + "]";
    }
}
