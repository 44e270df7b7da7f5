package dev.dbagent.jmx.remote;

import java.beans.ConstructorProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Small stand-ins for the agent's MXBeans, registered under the real names with the real operation
 * names, so the remote doors and dbctl are tested without a database. Each bean records who called
 * it through {@link Callers#current()}.
 */
public final class TestBeans {

    static final String TOKEN = "tok-7f3a";

    /** The operation result, shaped like dbagent's OperationResultInfo (an open CompositeData). */
    public static final class Result {
        private final String operation;
        private final boolean success;
        private final String summary;
        private final String text;
        private final long durationMillis;
        private final String[] warnings;

        @ConstructorProperties({"operation", "success", "summary", "text", "durationMillis", "warnings"})
        public Result(String operation, boolean success, String summary, String text, long durationMillis,
                String[] warnings) {
            this.operation = operation;
            this.success = success;
            this.summary = summary;
            this.text = text;
            this.durationMillis = durationMillis;
            this.warnings = warnings.clone();
        }

        public String getOperation() {
            return operation;
        }

        public boolean isSuccess() {
            return success;
        }

        public String getSummary() {
            return summary;
        }

        public String getText() {
            return text;
        }

        public long getDurationMillis() {
            return durationMillis;
        }

        public String[] getWarnings() {
            return warnings.clone();
        }
    }

    /** One slow query, shaped like dbagent's SlowQueryInfo. */
    public static final class SlowQuery {
        private final long durationMillis;
        private final String sql;

        @ConstructorProperties({"durationMillis", "sql"})
        public SlowQuery(long durationMillis, String sql) {
            this.durationMillis = durationMillis;
            this.sql = sql;
        }

        public long getDurationMillis() {
            return durationMillis;
        }

        public String getSql() {
            return sql;
        }
    }

    /** The Operations MXBean contract (names as in dev.dbagent.mbeans.OperationsMXBean). */
    public interface OperationsMXBean {
        Result init();

        Result migrate();

        Result status();

        Result validate();

        Result verify();

        Result drift();

        String prepareReset();

        Result reset(String token);

        Result releaseLock(boolean force);

        Result profile();

        Result health();

        /** Not in the policy: Jolokia must refuse it. */
        Result dropEverything();

        String getLastCaller();

        int getInvocations();
    }

    /** The Health MXBean contract. */
    public interface HealthMXBean {
        String getStatus();

        String[] getIssues();

        String runNow();
    }

    /** The CircuitBreaker MXBean contract. */
    public interface CircuitBreakerMXBean {
        String getState();

        String getDatabase();

        String getLayer();

        String forceOpen();
    }

    /** The Pool MXBean contract. */
    public interface PoolMXBean {
        int getTotal();

        int getActive();

        int getIdle();

        int getWaiting();

        int getMaxTotal();
    }

    /** The Service MXBean contract. */
    public interface ServiceMXBean {
        long getSlowQueryCount();

        SlowQuery[] getRecentSlowQueries();
    }

    static final class Operations implements OperationsMXBean {
        private volatile String lastCaller = "nobody";
        private final AtomicInteger invocations = new AtomicInteger();

        private Result ok(String op, String text) {
            lastCaller = Callers.current();
            invocations.incrementAndGet();
            return new Result(op, true, op + " done", text, 12, new String[0]);
        }

        @Override
        public Result init() {
            return ok("init", "created schema app (3 changesets)");
        }

        @Override
        public Result migrate() {
            lastCaller = Callers.current();
            invocations.incrementAndGet();
            throw new IllegalStateException("migrate failed: migration lock held by host-a since 10:02 UTC");
        }

        @Override
        public Result status() {
            return ok("status", "database main: 12 applied, 0 pending");
        }

        @Override
        public Result validate() {
            return ok("validate", "3 changelogs valid");
        }

        @Override
        public Result verify() {
            lastCaller = Callers.current();
            invocations.incrementAndGet();
            return new Result("verify", false, "1 difference", "missing index app.orders_customer_idx", 8,
                    new String[] {"index missing"});
        }

        @Override
        public Result drift() {
            return ok("drift", "no drift");
        }

        @Override
        public String prepareReset() {
            lastCaller = Callers.current();
            return TOKEN;
        }

        @Override
        public Result reset(String token) {
            if (!TOKEN.equals(token)) {
                lastCaller = Callers.current();
                throw new IllegalArgumentException("reset refused: unknown or expired token");
            }
            return ok("reset", "dropped and re-created schema app");
        }

        @Override
        public Result releaseLock(boolean force) {
            return ok("releaseLock", force ? "lock released (forced)" : "no stale lock");
        }

        @Override
        public Result profile() {
            return ok("profile", "pool main/primary: 4 of 10 active");
        }

        @Override
        public Result health() {
            return ok("health", "UP: 3 checks passed");
        }

        @Override
        public Result dropEverything() {
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
        @Override
        public String getStatus() {
            return "UP";
        }

        @Override
        public String[] getIssues() {
            return new String[0];
        }

        @Override
        public String runNow() {
            return "UP\ndatabase main: round trip 2 ms";
        }
    }

    static final class Breaker implements CircuitBreakerMXBean {
        private final String layer;
        private volatile String state = "CLOSED";

        Breaker(String layer) {
            this.layer = layer;
        }

        @Override
        public String getState() {
            return state;
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
        public String forceOpen() {
            state = "FORCED_OPEN";
            return "breaker main/" + layer + " is FORCED_OPEN";
        }
    }

    static final class Pool implements PoolMXBean {
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
    }

    static final class Service implements ServiceMXBean {
        @Override
        public long getSlowQueryCount() {
            return 1;
        }

        @Override
        public SlowQuery[] getRecentSlowQueries() {
            return new SlowQuery[] {new SlowQuery(1520, "select * from orders where customer_id = ?")};
        }
    }

    final Operations operations = new Operations();
    final List<ObjectName> names = new ArrayList<>();
    final String agent;

    private TestBeans(String agent) {
        this.agent = agent;
    }

    static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (JMException e) {
            throw new IllegalArgumentException(name, e);
        }
    }

    ObjectName operationsName() {
        return name("dev.dbagent:type=Operations,agent=" + agent);
    }

    ObjectName healthName() {
        return name("dev.dbagent:type=Health,agent=" + agent);
    }

    ObjectName poolName() {
        return name("dev.dbagent:type=Pool,agent=" + agent + ",database=main,role=primary");
    }

    static TestBeans register(MBeanServer server, String agent) throws JMException {
        TestBeans beans = new TestBeans(agent);
        beans.add(server, beans.operationsName(), beans.operations);
        beans.add(server, beans.healthName(), new Health());
        beans.add(server, name("dev.dbagent:type=CircuitBreaker,agent=" + agent + ",database=main,layer=pool,role=primary"),
                new Breaker("pool"));
        beans.add(server, name("dev.dbagent:type=CircuitBreaker,agent=" + agent + ",database=main,layer=service"),
                new Breaker("service"));
        beans.add(server, beans.poolName(), new Pool());
        beans.add(server, name("dev.dbagent:type=Service,agent=" + agent + ",database=main"), new Service());
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
