package dev.dbagent.mbeans;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;

/**
 * Small hand-written implementations of every MXBean with fixed, distinctive values, so a round
 * trip can assert that each value survives exactly. They stand in for the agent's adapters.
 */
final class TestBeans {
    static final String AGENT = "orders-app";
    static final String DB = "main";

    private TestBeans() {
    }

    static final class Agent implements AgentMXBean {
        @Override public String getName() {
            return AGENT;
        }

        @Override public String getInstance() {
            return "app-7:4242";
        }

        @Override public String getEnvironment() {
            return "staging";
        }

        @Override public String getVersion() {
            return "0.1.0";
        }

        @Override public long getUptimeMillis() {
            return 86_400_123L;
        }

        @Override public String getStartedAt() {
            return "2026-11-26T18:00:00Z";
        }

        @Override public String[] getDatabases() {
            return new String[] {"main", "analytics"};
        }
    }

    static final BorrowerInfo BORROWER_1 = new BorrowerInfo("http-nio-8080-exec-3", "2026-11-27T18:59:58.250Z",
            1_750L, "com.example.OrderRepo.find(OrderRepo.java:42)\ncom.example.OrderController.get(OrderController.java:17)");
    static final BorrowerInfo BORROWER_2 = new BorrowerInfo("scheduler-1", "2026-11-27T19:00:00.000Z", 0L, "");

    static final class Pool implements PoolMXBean {
        int evictions;

        @Override public String getDatabase() {
            return DB;
        }

        @Override public String getRole() {
            return "replica-2";
        }

        @Override public String getJdbcUrl() {
            return "jdbc:postgresql://db-replica-2:5432/orders?user=app&password=****";
        }

        @Override public int getTotal() {
            return 10;
        }

        @Override public int getActive() {
            return 7;
        }

        @Override public int getIdle() {
            return 3;
        }

        @Override public int getWaiting() {
            return 2;
        }

        @Override public int getMaxTotal() {
            return 20;
        }

        @Override public int getMinIdle() {
            return 4;
        }

        @Override public double getBorrowWaitP50Millis() {
            return 0.25;
        }

        @Override public double getBorrowWaitP95Millis() {
            return 12.5;
        }

        @Override public double getBorrowWaitP99Millis() {
            return 250.75;
        }

        @Override public long getCreatedCount() {
            return 5_000_000_000L;
        }

        @Override public long getDestroyedCount() {
            return 4_999_999_990L;
        }

        @Override public long getBorrowedCount() {
            return 123_456_789_012L;
        }

        @Override public int evictIdleConnections() {
            evictions++;
            return 3;
        }

        @Override public long getMaxWaitMillis() {
            return 5_000L;
        }

        @Override public String getPasswordSource() {
            return "file:/run/secrets/orders-db";
        }

        @Override public String resize(int maxTotal, int minIdle, long maxWaitMillis) {
            return "maxTotal 20 -> " + maxTotal + ", minIdle 4 -> " + minIdle + ", maxWait 5000 ms -> " + maxWaitMillis + " ms";
        }

        @Override public String softEvictConnections() {
            return "3 idle connections closed, 7 in use close when returned";
        }

        @Override public String rotateCredentials() {
            return "password re-read from file:/run/secrets/orders-db and accepted by a test login";
        }

        @Override public BorrowerInfo[] listBorrowers() {
            return new BorrowerInfo[] {BORROWER_1, BORROWER_2};
        }

        @Override public String listBorrowersText() {
            return "http-nio-8080-exec-3 out 1750 ms since 2026-11-27T18:59:58.250Z\n"
                    + "    com.example.OrderRepo.find(OrderRepo.java:42)\n";
        }
    }

    /** A breaker with a tiny state machine that emits the contract's notification on each change. */
    static final class Breaker extends NotificationBroadcasterSupport implements CircuitBreakerMXBean {
        private final ObjectName name;
        private final AtomicLong sequence = new AtomicLong();
        private String state = "CLOSED";
        private String lastTransition = "";
        private String lastTransitionAt = "";
        private String lastTransitionCause = "";

        Breaker(ObjectName name) {
            super(Notifications.breakerStateInfo());
            this.name = name;
        }

        @Override public String getDatabase() {
            return DB;
        }

        @Override public String getLayer() {
            return ObjectNames.LAYER_POOL;
        }

        @Override public String getRole() {
            return ObjectNames.ROLE_PRIMARY;
        }

        @Override public synchronized String getState() {
            return state;
        }

        @Override public float getFailureRatePercent() {
            return 37.5f;
        }

        @Override public float getSlowCallRatePercent() {
            return -1f;
        }

        @Override public int getBufferedCalls() {
            return 8;
        }

        @Override public int getFailedCalls() {
            return 3;
        }

        @Override public int getSuccessfulCalls() {
            return 5;
        }

        @Override public long getNotPermittedCalls() {
            return 9_000_000_000L;
        }

        @Override public synchronized String getLastTransition() {
            return lastTransition;
        }

        @Override public synchronized String getLastTransitionAt() {
            return lastTransitionAt;
        }

        @Override public synchronized String getLastTransitionCause() {
            return lastTransitionCause;
        }

        @Override public String forceOpen() {
            return transition("FORCED_OPEN", "forceOpen by jmx:alice");
        }

        @Override public String reset() {
            return transition("CLOSED", "reset by jmx:alice");
        }

        @Override public String disable() {
            return transition("DISABLED", "disable by jmx:alice");
        }

        @Override public String metricsOnly() {
            return transition("METRICS_ONLY", "metricsOnly by jmx:alice");
        }

        private String transition(String to, String cause) {
            String from;
            synchronized (this) {
                from = state;
                state = to;
                lastTransition = from + " -> " + to;
                lastTransitionAt = "2026-11-27T19:00:0" + sequence.get() + "Z";
                lastTransitionCause = cause;
            }
            sendNotification(Notifications.breakerState(name, sequence.incrementAndGet(), 1_764_270_000_000L,
                    DB, ObjectNames.LAYER_POOL, ObjectNames.ROLE_PRIMARY, from, to, cause));
            return from + " -> " + to;
        }
    }

    static final ErrorCountInfo[] ERRORS_BY_CLASS = {
        new ErrorCountInfo("dev.dbagent.BreakerOpenException", 40L),
        new ErrorCountInfo("org.jdbi.v3.core.statement.UnableToExecuteStatementException", 2L),
    };
    static final SlowQueryInfo[] SLOW_QUERIES = {
        new SlowQueryInfo("select * from orders where customer_id = ? and note = '?'", 2_345L, DB, "replica-1",
                "com.example.OrderRepo.find(OrderRepo.java:42)", "2026-11-27T18:59:00.001Z"),
        new SlowQueryInfo("update stock set qty = qty - ? where sku = ?", 1_001L, DB, "primary", "",
                "2026-11-27T18:58:00Z"),
    };

    static final class Service implements ServiceMXBean {
        @Override public String getDatabase() {
            return DB;
        }

        @Override public long getCalls() {
            return 1_000_000L;
        }

        @Override public long getErrors() {
            return 42L;
        }

        @Override public ErrorCountInfo[] getErrorsByClass() {
            return ERRORS_BY_CLASS.clone();
        }

        @Override public long getRetries() {
            return 17L;
        }

        @Override public long getOutcomeUnknown() {
            return 1L;
        }

        @Override public long getSlowQueryCount() {
            return 99L;
        }

        @Override public SlowQueryInfo[] getRecentSlowQueries() {
            return SLOW_QUERIES.clone();
        }
    }

    static final HealthCheckInfo[] CHECKS = {
        new HealthCheckInfo("main.primary.roundTrip", "UP", 3L, ""),
        new HealthCheckInfo("main.replicaLag", "DEGRADED", 5L, "replica-1 is 12 s behind (limit 5 s)"),
    };
    static final IssueInfo[] ISSUES = {
        new IssueInfo("WARNING", "main.replicaLag", "replica-1 is 12 s behind; reads go to the primary"),
    };
    static final HealthReportInfo REPORT =
            new HealthReportInfo("DEGRADED", "2026-11-27T19:00:00Z", 8L, CHECKS, ISSUES);

    static final class Health extends NotificationBroadcasterSupport implements HealthMXBean {
        Health() {
            super(Notifications.healthStatusInfo());
        }

        @Override public String getStatus() {
            return "DEGRADED";
        }

        @Override public String getLastRunAt() {
            return "2026-11-27T19:00:00Z";
        }

        @Override public long getLastRunMillis() {
            return 8L;
        }

        @Override public HealthCheckInfo[] getChecks() {
            return CHECKS.clone();
        }

        @Override public IssueInfo[] getIssues() {
            return ISSUES.clone();
        }

        @Override public String runNow() {
            return "DEGRADED\n  main.primary.roundTrip UP 3 ms\n  main.replicaLag DEGRADED 5 ms\n";
        }

        @Override public HealthReportInfo runNowReport() {
            return REPORT;
        }
    }

    static OperationResultInfo result(String operation, boolean success) {
        return new OperationResultInfo(operation, success, operation + " summary",
                operation + " report\nline two\n", 120L,
                new StepInfo[] {new StepInfo("acquire lock", 2L, ""), new StepInfo(operation, 118L, "did " + operation)},
                success ? new String[0] : new String[] {operation + " warning"});
    }

    static final class Operations extends NotificationBroadcasterSupport implements OperationsMXBean {
        final List<String> invoked = new ArrayList<>();

        Operations() {
            super(Notifications.opsCompletedInfo());
        }

        private OperationResultInfo run(String op, boolean success) {
            invoked.add(op);
            return result(op, success);
        }

        @Override public OperationResultInfo init() {
            return run("init", true);
        }

        @Override public OperationResultInfo migrate() {
            return run("migrate", true);
        }

        @Override public OperationResultInfo status() {
            return run("status", false);
        }

        @Override public OperationResultInfo validate() {
            return run("validate", true);
        }

        @Override public OperationResultInfo verify() {
            return run("verify", false);
        }

        @Override public OperationResultInfo drift() {
            return run("drift", true);
        }

        @Override public String prepareReset() {
            invoked.add("prepareReset");
            return "RST-7f3a9c";
        }

        @Override public OperationResultInfo reset(String token) {
            if (!"RST-7f3a9c".equals(token)) {
                throw new IllegalArgumentException("reset token " + token + " is unknown or expired; call prepareReset");
            }
            return run("reset", true);
        }

        @Override public OperationResultInfo releaseLock(boolean force) {
            if (!force) {
                throw new IllegalStateException("releaseLock refused: lock held by host-a since 2026-11-27T18:59:00Z"
                        + " is not stale; pass force=true to release it anyway");
            }
            return run("releaseLock", true);
        }

        @Override public OperationResultInfo profile() {
            return run("profile", true);
        }

        @Override public OperationResultInfo health() {
            return run("health", false);
        }

        @Override public String getProgress() {
            return "migrate: 3 of 23: foundation-3-bills (dbagent)";
        }

        @Override public String prepareRollback() {
            invoked.add("prepareRollback");
            return "RBK-1c2d";
        }

        @Override public OperationResultInfo rollback(int count, String token) {
            return run("rollback", true);
        }

        @Override public OperationResultInfo rollbackToTag(String tag, String token) {
            return run("rollbackToTag", true);
        }

        @Override public OperationResultInfo preview() {
            return run("preview", true);
        }

        @Override public OperationResultInfo changelogSync() {
            return run("changelogSync", true);
        }

        @Override public OperationResultInfo repairChecksums() {
            return run("repairChecksums", true);
        }
    }
}
