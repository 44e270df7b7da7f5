package dev.dbagent.internal.jmx.remote;

import dev.dbagent.mbeans.BorrowerInfo;
import dev.dbagent.mbeans.CircuitBreakerMXBean;
import dev.dbagent.mbeans.ContractMBean;
import dev.dbagent.mbeans.ErrorCountInfo;
import dev.dbagent.mbeans.Impact;
import dev.dbagent.mbeans.HealthCheckInfo;
import dev.dbagent.mbeans.HealthMXBean;
import dev.dbagent.mbeans.HealthReportInfo;
import dev.dbagent.mbeans.IssueInfo;
import dev.dbagent.mbeans.ObjectNames;
import dev.dbagent.mbeans.OperationResultInfo;
import dev.dbagent.mbeans.OperationsMXBean;
import dev.dbagent.mbeans.PoolMXBean;
import dev.dbagent.mbeans.ServiceMXBean;
import dev.dbagent.mbeans.SlowQueryInfo;
import dev.dbagent.mbeans.StepInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;

/**
 * Stand-ins for the agent's MXBeans: the real dbagent-mbeans interfaces and names with canned
 * answers, so the remote doors and dbctl are tested without a database. Operations records who
 * called it through {@link Callers#current()}.
 */
public final class TestBeans {

    static final String TOKEN = "tok-7f3a";

    /** The real Operations contract plus what the tests need to look at. */
    public interface TestOperationsMXBean extends OperationsMXBean {
        /** An extra changing operation, decided like the contract's. */
        @Impact(Impact.Kind.ACTION)
        OperationResultInfo dropEverything();

        String getLastCaller();

        int getInvocations();
    }

    /** An emitter like the real adapter, so clients (dbctl's progress subscription) can listen. */
    static final class Operations extends NotificationBroadcasterSupport implements TestOperationsMXBean {
        private volatile String lastCaller = "nobody";
        private final AtomicInteger invocations = new AtomicInteger();

        private void called() {
            lastCaller = Callers.current();
            invocations.incrementAndGet();
        }

        private OperationResultInfo ok(String op, String text, StepInfo... steps) {
            called();
            return new OperationResultInfo(op, true, op + " done", text, 12, steps, new String[0]);
        }

        @Override
        public OperationResultInfo init() {
            return ok("init", "created schema app (3 changesets)",
                    new StepInfo("main: create schema app", 8, "3 changesets"));
        }

        @Override
        public OperationResultInfo migrate() {
            called();
            throw new IllegalStateException("migrate failed: migration lock held by host-a since 10:02 UTC");
        }

        @Override
        public OperationResultInfo status() {
            return ok("status", "database main: 12 applied, 0 pending");
        }

        @Override
        public OperationResultInfo validate() {
            return ok("validate", "3 changelogs valid");
        }

        @Override
        public OperationResultInfo verify() {
            called();
            return new OperationResultInfo("verify", false, "1 difference", "missing index app.orders_customer_idx", 8,
                    new StepInfo[] {new StepInfo("main: compare", 8, "1 difference")}, new String[] {"index missing"});
        }

        @Override
        public OperationResultInfo drift() {
            return ok("drift", "no drift");
        }

        @Override
        public String prepareReset() {
            lastCaller = Callers.current();
            return TOKEN;
        }

        @Override
        public OperationResultInfo reset(String token) {
            if (!TOKEN.equals(token)) {
                called();
                throw new IllegalArgumentException("reset refused: unknown or expired token");
            }
            return ok("reset", "dropped and re-created schema app");
        }

        @Override
        public OperationResultInfo releaseLock(boolean force) {
            return ok("releaseLock", force ? "lock released (forced)" : "no stale lock");
        }

        @Override
        public OperationResultInfo profile() {
            return ok("profile", "pool main/primary: 4 of 10 active");
        }

        @Override
        public OperationResultInfo health() {
            return ok("health", "UP: 3 checks passed");
        }

        @Override
        public String getProgress() {
            return "idle";
        }

        @Override
        public String prepareRollback() {
            lastCaller = Callers.current();
            return TOKEN;
        }

        @Override
        public OperationResultInfo rollback(int count, String token) {
            return ok("rollback", count + " changesets rolled back");
        }

        @Override
        public OperationResultInfo rollbackToTag(String tag, String token) {
            return ok("rollbackToTag", "rolled back to " + tag);
        }

        @Override
        public OperationResultInfo preview() {
            return ok("preview", "CREATE TABLE app.t (id int);");
        }

        @Override
        public OperationResultInfo changelogSync() {
            return ok("changelogSync", "3 changesets recorded as applied");
        }

        @Override
        public OperationResultInfo repairChecksums() {
            return ok("repairChecksums", "1 changed checksum repaired");
        }

        @Override
        public OperationResultInfo dropEverything() {
            return ok("dropEverything", "should never run over Jolokia");
        }

        @Override
        public String getLastCaller() {
            return lastCaller;
        }

        @Override
        public int getInvocations() {
            return invocations.get();
        }
    }

    static final class Health implements HealthMXBean {
        private static final HealthCheckInfo[] CHECKS = {new HealthCheckInfo("database main", "UP", 2, "round trip 2 ms")};

        @Override
        public String getStatus() {
            return "UP";
        }

        @Override
        public String getLastRunAt() {
            return "2026-11-27T19:00:00Z";
        }

        @Override
        public long getLastRunMillis() {
            return 3;
        }

        @Override
        public HealthCheckInfo[] getChecks() {
            return CHECKS.clone();
        }

        @Override
        public IssueInfo[] getIssues() {
            return new IssueInfo[0];
        }

        @Override
        public String runNow() {
            return "UP\ndatabase main: round trip 2 ms";
        }

        @Override
        public HealthReportInfo runNowReport() {
            return new HealthReportInfo("UP", getLastRunAt(), 3, getChecks(), getIssues());
        }
    }

    static final class Breaker implements CircuitBreakerMXBean {
        private final String layer;
        private final String role;
        private volatile String state = "CLOSED";

        Breaker(String layer, String role) {
            this.layer = layer;
            this.role = role;
        }

        @Override
        public String getDatabase() {
            return "main";
        }

        @Override
        public String getLayer() {
            return layer;
        }

        @Override
        public String getRole() {
            return role;
        }

        @Override
        public String getState() {
            return state;
        }

        @Override
        public float getFailureRatePercent() {
            return 0f;
        }

        @Override
        public float getSlowCallRatePercent() {
            return 0f;
        }

        @Override
        public int getBufferedCalls() {
            return 20;
        }

        @Override
        public int getFailedCalls() {
            return 0;
        }

        @Override
        public int getSuccessfulCalls() {
            return 20;
        }

        @Override
        public long getNotPermittedCalls() {
            return 0;
        }

        @Override
        public String getLastTransition() {
            return "";
        }

        @Override
        public String getLastTransitionAt() {
            return "";
        }

        @Override
        public String getLastTransitionCause() {
            return "";
        }

        @Override
        public String forceOpen() {
            state = "FORCED_OPEN";
            return "breaker main/" + layer + " is FORCED_OPEN";
        }

        @Override
        public String reset() {
            state = "CLOSED";
            return "breaker main/" + layer + " is CLOSED";
        }

        @Override
        public String disable() {
            state = "DISABLED";
            return "breaker main/" + layer + " is DISABLED";
        }

        @Override
        public String metricsOnly() {
            state = "METRICS_ONLY";
            return "breaker main/" + layer + " is METRICS_ONLY";
        }
    }

    static final class Pool implements PoolMXBean {
        @Override
        public String getDatabase() {
            return "main";
        }

        @Override
        public String getRole() {
            return "primary";
        }

        @Override
        public String getJdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:5432/app";
        }

        @Override
        public int getTotal() {
            return 6;
        }

        @Override
        public int getActive() {
            return 4;
        }

        @Override
        public int getIdle() {
            return 2;
        }

        @Override
        public int getWaiting() {
            return 0;
        }

        @Override
        public int getMaxTotal() {
            return 10;
        }

        @Override
        public int getMinIdle() {
            return 1;
        }

        @Override
        public double getBorrowWaitP50Millis() {
            return 0.1;
        }

        @Override
        public double getBorrowWaitP95Millis() {
            return 0.4;
        }

        @Override
        public double getBorrowWaitP99Millis() {
            return 1.2;
        }

        @Override
        public long getCreatedCount() {
            return 6;
        }

        @Override
        public long getDestroyedCount() {
            return 0;
        }

        @Override
        public long getBorrowedCount() {
            return 120;
        }

        @Override
        public int evictIdleConnections() {
            return 2;
        }

        @Override
        public long getMaxWaitMillis() {
            return 5_000;
        }

        @Override
        public String getPasswordSource() {
            return "literal";
        }

        @Override
        public String resize(int maxTotal, int minIdle, long maxWaitMillis) {
            return "maxTotal 5 -> " + maxTotal;
        }

        @Override
        public String softEvictConnections() {
            return "0 idle connections closed, 0 in use close when returned";
        }

        @Override
        public String rotateCredentials() {
            throw new IllegalStateException("the secret is configured literally");
        }

        @Override
        public BorrowerInfo[] listBorrowers() {
            return new BorrowerInfo[0];
        }

        @Override
        public String listBorrowersText() {
            return "no connections borrowed";
        }
    }

    static final class Service implements ServiceMXBean {
        @Override
        public String getDatabase() {
            return "main";
        }

        @Override
        public long getCalls() {
            return 120;
        }

        @Override
        public long getErrors() {
            return 0;
        }

        @Override
        public ErrorCountInfo[] getErrorsByClass() {
            return new ErrorCountInfo[0];
        }

        @Override
        public long getRetries() {
            return 0;
        }

        @Override
        public long getOutcomeUnknown() {
            return 0;
        }

        @Override
        public long getSlowQueryCount() {
            return 1;
        }

        @Override
        public SlowQueryInfo[] getRecentSlowQueries() {
            return new SlowQueryInfo[] {new SlowQueryInfo("select * from orders where customer_id = ?", 1520, "main",
                    "primary", "OrderDao.byCustomer", "2026-11-27T18:58:00Z")};
        }
    }

    final Operations operations = new Operations();
    final List<ObjectName> names = new ArrayList<>();
    final String agent;

    private TestBeans(String agent) {
        this.agent = agent;
    }

    ObjectName operationsName() {
        return ObjectNames.operations(agent, "main");
    }

    ObjectName healthName() {
        return ObjectNames.health(agent);
    }

    ObjectName poolName() {
        return ObjectNames.pool(agent, "main", "primary");
    }

    /** A bean someone added without deciding its operation's impact: refused to every remote caller. */
    public interface UndecidedMXBean {
        String purge();

        int getPurges();
    }

    static final class Undecided implements UndecidedMXBean {
        private final AtomicInteger purges = new AtomicInteger();

        @Override
        public String purge() {
            purges.incrementAndGet();
            return "purged";
        }

        @Override
        public int getPurges() {
            return purges.get();
        }
    }

    final Breaker serviceBreaker = new Breaker("service", "");
    final Undecided undecided = new Undecided();

    ObjectName serviceBreakerName() {
        return ObjectNames.serviceBreaker(agent, "main");
    }

    ObjectName undecidedName() {
        try {
            return new ObjectName("dev.dbagent:type=Undecided,agent=" + agent);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Registers the stand-ins as the agent does: through {@link ContractMBean}, with impacts. */
    static TestBeans register(MBeanServer server, String agent) throws JMException {
        TestBeans beans = new TestBeans(agent);
        beans.add(server, beans.operationsName(), ContractMBean.of(beans.operations, TestOperationsMXBean.class));
        beans.add(server, beans.healthName(), ContractMBean.of(new Health(), HealthMXBean.class));
        beans.add(server, ObjectNames.poolBreaker(agent, "main", "primary"),
                ContractMBean.of(new Breaker("pool", "primary"), CircuitBreakerMXBean.class));
        beans.add(server, beans.serviceBreakerName(), ContractMBean.of(beans.serviceBreaker, CircuitBreakerMXBean.class));
        beans.add(server, beans.poolName(), ContractMBean.of(new Pool(), PoolMXBean.class));
        beans.add(server, ObjectNames.service(agent, "main"), ContractMBean.of(new Service(), ServiceMXBean.class));
        beans.add(server, beans.undecidedName(), beans.undecided);
        return beans;
    }

    private void add(MBeanServer server, ObjectName name, Object bean) throws JMException {
        server.registerMBean(bean, name);
        names.add(name);
    }

    void unregister(MBeanServer server) throws JMException {
        for (ObjectName name : names) {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        }
    }
}
