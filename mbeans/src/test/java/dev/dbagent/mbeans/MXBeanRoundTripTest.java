package dev.dbagent.mbeans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;

/**
 * Every attribute and operation result of every MXBean survives a trip through a real RMI
 * connector into a typed proxy, and reaches a generic client as open data.
 */
class MXBeanRoundTripTest extends OverRemoteJmx {

    @Test
    void agentAttributesSurviveTheRoundTrip() throws Exception {
        ObjectName name = jmx.register(new TestBeans.Agent(), ObjectNames.agent(TestBeans.AGENT));
        AgentMXBean agent = jmx.proxy(name, AgentMXBean.class);

        assertThat(agent.getName()).isEqualTo("orders-app");
        assertThat(agent.getEnvironment()).isEqualTo("staging");
        assertThat(agent.getVersion()).isEqualTo("0.1.0");
        assertThat(agent.getUptimeMillis()).isEqualTo(86_400_123L);
        assertThat(agent.getStartedAt()).isEqualTo("2026-11-26T18:00:00Z");
        assertThat(agent.getDatabases()).containsExactly("main", "analytics");
    }

    @Test
    void poolAttributesAndOperationsSurviveTheRoundTrip() throws Exception {
        TestBeans.Pool bean = new TestBeans.Pool();
        ObjectName name = jmx.register(bean, ObjectNames.pool(TestBeans.AGENT, TestBeans.DB, "replica-2"));
        PoolMXBean pool = jmx.proxy(name, PoolMXBean.class);

        assertThat(pool.getDatabase()).isEqualTo("main");
        assertThat(pool.getRole()).isEqualTo("replica-2");
        assertThat(pool.getJdbcUrl()).isEqualTo("jdbc:postgresql://db-replica-2:5432/orders?user=app&password=****");
        assertThat(pool.getTotal()).isEqualTo(10);
        assertThat(pool.getActive()).isEqualTo(7);
        assertThat(pool.getIdle()).isEqualTo(3);
        assertThat(pool.getWaiting()).isEqualTo(2);
        assertThat(pool.getMaxTotal()).isEqualTo(20);
        assertThat(pool.getMinIdle()).isEqualTo(4);
        assertThat(pool.getBorrowWaitP50Millis()).isEqualTo(0.25);
        assertThat(pool.getBorrowWaitP95Millis()).isEqualTo(12.5);
        assertThat(pool.getBorrowWaitP99Millis()).isEqualTo(250.75);
        assertThat(pool.getCreatedCount()).isEqualTo(5_000_000_000L);
        assertThat(pool.getDestroyedCount()).isEqualTo(4_999_999_990L);
        assertThat(pool.getBorrowedCount()).isEqualTo(123_456_789_012L);

        assertThat(pool.evictIdleConnections()).isEqualTo(3);
        assertThat(bean.evictions).isEqualTo(1);
        BorrowerInfo[] borrowers = pool.listBorrowers();
        assertThat(borrowers).containsExactly(TestBeans.BORROWER_1, TestBeans.BORROWER_2);
        assertThat(borrowers[0].getStackTrace())
                .isEqualTo("com.example.OrderRepo.find(OrderRepo.java:42)\n"
                        + "com.example.OrderController.get(OrderController.java:17)");
        assertThat(borrowers[0].getAgeMillis()).isEqualTo(1_750L);
        assertThat(pool.listBorrowersText())
                .isEqualTo("http-nio-8080-exec-3 out 1750 ms since 2026-11-27T18:59:58.250Z\n"
                        + "    com.example.OrderRepo.find(OrderRepo.java:42)\n");
    }

    @Test
    void borrowersReachAGenericClientAsCompositeData() throws Exception {
        ObjectName name = jmx.register(new TestBeans.Pool(), ObjectNames.pool(TestBeans.AGENT, TestBeans.DB, "primary"));

        Object raw = jmx.connection.invoke(name, "listBorrowers", new Object[0], new String[0]);

        assertThat(raw).isInstanceOf(CompositeData[].class);
        CompositeData first = ((CompositeData[]) raw)[0];
        assertThat(first.getCompositeType().keySet())
                .containsExactlyInAnyOrder("threadName", "borrowedAt", "ageMillis", "stackTrace");
        assertThat(first.get("threadName")).isEqualTo("http-nio-8080-exec-3");
        assertThat(first.get("ageMillis")).isEqualTo(1_750L);
    }

    @Test
    void breakerAttributesAndOperationsSurviveTheRoundTrip() throws Exception {
        ObjectName name = ObjectNames.poolBreaker(TestBeans.AGENT, TestBeans.DB, "primary");
        jmx.register(new TestBeans.Breaker(name), name);
        CircuitBreakerMXBean breaker = jmx.proxy(name, CircuitBreakerMXBean.class);

        assertThat(breaker.getDatabase()).isEqualTo("main");
        assertThat(breaker.getLayer()).isEqualTo("pool");
        assertThat(breaker.getRole()).isEqualTo("primary");
        assertThat(breaker.getState()).isEqualTo("CLOSED");
        assertThat(breaker.getFailureRatePercent()).isEqualTo(37.5f);
        assertThat(breaker.getSlowCallRatePercent()).isEqualTo(-1f);
        assertThat(breaker.getBufferedCalls()).isEqualTo(8);
        assertThat(breaker.getFailedCalls()).isEqualTo(3);
        assertThat(breaker.getSuccessfulCalls()).isEqualTo(5);
        assertThat(breaker.getNotPermittedCalls()).isEqualTo(9_000_000_000L);
        assertThat(breaker.getLastTransition()).isEmpty();
        assertThat(breaker.getLastTransitionAt()).isEmpty();
        assertThat(breaker.getLastTransitionCause()).isEmpty();

        assertThat(breaker.forceOpen()).isEqualTo("CLOSED -> FORCED_OPEN");
        assertThat(breaker.getState()).isEqualTo("FORCED_OPEN");
        assertThat(breaker.getLastTransition()).isEqualTo("CLOSED -> FORCED_OPEN");
        assertThat(breaker.getLastTransitionAt()).isEqualTo("2026-11-27T19:00:00Z");
        assertThat(breaker.getLastTransitionCause()).isEqualTo("forceOpen by jmx:alice");
        assertThat(breaker.disable()).isEqualTo("FORCED_OPEN -> DISABLED");
        assertThat(breaker.metricsOnly()).isEqualTo("DISABLED -> METRICS_ONLY");
        assertThat(breaker.reset()).isEqualTo("METRICS_ONLY -> CLOSED");
        assertThat(breaker.getState()).isEqualTo("CLOSED");
    }

    @Test
    void serviceAttributesSurviveTheRoundTrip() throws Exception {
        ObjectName name = jmx.register(new TestBeans.Service(), ObjectNames.service(TestBeans.AGENT, TestBeans.DB));
        ServiceMXBean service = jmx.proxy(name, ServiceMXBean.class);

        assertThat(service.getDatabase()).isEqualTo("main");
        assertThat(service.getCalls()).isEqualTo(1_000_000L);
        assertThat(service.getErrors()).isEqualTo(42L);
        assertThat(service.getErrorsByClass()).containsExactly(TestBeans.ERRORS_BY_CLASS);
        assertThat(service.getErrorsByClass()[0].getErrorClass()).isEqualTo("dev.dbagent.BreakerOpenException");
        assertThat(service.getErrorsByClass()[0].getCount()).isEqualTo(40L);
        assertThat(service.getRetries()).isEqualTo(17L);
        assertThat(service.getOutcomeUnknown()).isEqualTo(1L);
        assertThat(service.getSlowQueryCount()).isEqualTo(99L);
        SlowQueryInfo[] slow = service.getRecentSlowQueries();
        assertThat(slow).containsExactly(TestBeans.SLOW_QUERIES);
        assertThat(slow[0].getSql()).isEqualTo("select * from orders where customer_id = ? and note = '?'");
        assertThat(slow[0].getDurationMillis()).isEqualTo(2_345L);
        assertThat(slow[0].getDatabase()).isEqualTo("main");
        assertThat(slow[0].getRole()).isEqualTo("replica-1");
        assertThat(slow[0].getCallSite()).isEqualTo("com.example.OrderRepo.find(OrderRepo.java:42)");
        assertThat(slow[0].getAt()).isEqualTo("2026-11-27T18:59:00.001Z");
    }

    @Test
    void healthAttributesAndReportSurviveTheRoundTrip() throws Exception {
        ObjectName name = jmx.register(new TestBeans.Health(), ObjectNames.health(TestBeans.AGENT));
        HealthMXBean health = jmx.proxy(name, HealthMXBean.class);

        assertThat(health.getStatus()).isEqualTo("DEGRADED");
        assertThat(health.getLastRunAt()).isEqualTo("2026-11-27T19:00:00Z");
        assertThat(health.getLastRunMillis()).isEqualTo(8L);
        assertThat(health.getChecks()).containsExactly(TestBeans.CHECKS);
        assertThat(health.getChecks()[1].getMessage()).isEqualTo("replica-1 is 12 s behind (limit 5 s)");
        assertThat(health.getChecks()[1].getLatencyMillis()).isEqualTo(5L);
        assertThat(health.getIssues()).containsExactly(TestBeans.ISSUES);
        assertThat(health.getIssues()[0].getSeverity()).isEqualTo("WARNING");
        assertThat(health.getIssues()[0].getCheck()).isEqualTo("main.replicaLag");
        assertThat(health.runNow())
                .isEqualTo("DEGRADED\n  main.primary.roundTrip UP 3 ms\n  main.replicaLag DEGRADED 5 ms\n");

        HealthReportInfo report = health.runNowReport();
        assertThat(report).isEqualTo(TestBeans.REPORT);
        assertThat(report.getStatus()).isEqualTo("DEGRADED");
        assertThat(report.getRunAt()).isEqualTo("2026-11-27T19:00:00Z");
        assertThat(report.getDurationMillis()).isEqualTo(8L);
        assertThat(report.getChecks()).containsExactly(TestBeans.CHECKS);
        assertThat(report.getIssues()).containsExactly(TestBeans.ISSUES);
    }

    @Test
    void everyOperationResultSurvivesTheRoundTrip() throws Exception {
        TestBeans.Operations bean = new TestBeans.Operations();
        ObjectName name = jmx.register(bean, ObjectNames.operations(TestBeans.AGENT, "main"));
        OperationsMXBean ops = jmx.proxy(name, OperationsMXBean.class);

        assertThat(ops.init()).isEqualTo(TestBeans.result("init", true));
        assertThat(ops.migrate()).isEqualTo(TestBeans.result("migrate", true));
        assertThat(ops.status()).isEqualTo(TestBeans.result("status", false));
        assertThat(ops.validate()).isEqualTo(TestBeans.result("validate", true));
        assertThat(ops.verify()).isEqualTo(TestBeans.result("verify", false));
        assertThat(ops.drift()).isEqualTo(TestBeans.result("drift", true));
        assertThat(ops.prepareReset()).isEqualTo("RST-7f3a9c");
        assertThat(ops.reset("RST-7f3a9c")).isEqualTo(TestBeans.result("reset", true));
        assertThat(ops.releaseLock(true)).isEqualTo(TestBeans.result("releaseLock", true));
        assertThat(ops.profile()).isEqualTo(TestBeans.result("profile", true));
        assertThat(ops.health()).isEqualTo(TestBeans.result("health", false));
        assertThat(bean.invoked).containsExactly("init", "migrate", "status", "validate", "verify", "drift",
                "prepareReset", "reset", "releaseLock", "profile", "health");

        OperationResultInfo verify = ops.verify();
        assertThat(verify.getOperation()).isEqualTo("verify");
        assertThat(verify.isSuccess()).isFalse();
        assertThat(verify.getSummary()).isEqualTo("verify summary");
        assertThat(verify.getText()).isEqualTo("verify report\nline two\n");
        assertThat(verify.getDurationMillis()).isEqualTo(120L);
        assertThat(verify.getSteps()).containsExactly(new StepInfo("acquire lock", 2L, ""),
                new StepInfo("verify", 118L, "did verify"));
        assertThat(verify.getWarnings()).containsExactly("verify warning");
    }

    @Test
    void operationFailuresReachTheCallerWithTypeAndMessage() throws Exception {
        ObjectName name = jmx.register(new TestBeans.Operations(), ObjectNames.operations(TestBeans.AGENT, "main"));
        OperationsMXBean ops = jmx.proxy(name, OperationsMXBean.class);

        assertThatThrownBy(() -> ops.reset("RST-expired"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("reset token RST-expired is unknown or expired; call prepareReset");
        assertThatThrownBy(() -> ops.releaseLock(false))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("releaseLock refused: lock held by host-a since 2026-11-27T18:59:00Z is not stale;"
                        + " pass force=true to release it anyway");
    }

    @Test
    void operationResultsReachAGenericClientAsCompositeData() throws Exception {
        ObjectName name = jmx.register(new TestBeans.Operations(), ObjectNames.operations(TestBeans.AGENT, "main"));

        Object raw = jmx.connection.invoke(name, "migrate", new Object[0], new String[0]);

        assertThat(raw).isInstanceOf(CompositeData.class);
        CompositeData result = (CompositeData) raw;
        assertThat(result.getCompositeType().keySet()).containsExactlyInAnyOrder(
                "operation", "success", "summary", "text", "durationMillis", "steps", "warnings");
        assertThat(result.get("operation")).isEqualTo("migrate");
        assertThat(result.get("success")).isEqualTo(Boolean.TRUE);
        assertThat(result.get("steps")).isInstanceOf(CompositeData[].class);
        assertThat(((CompositeData[]) result.get("steps"))[1].get("detail")).isEqualTo("did migrate");
        assertThat(result.get("warnings")).isEqualTo(new String[0]);

        Object released = jmx.connection.invoke(name, "releaseLock", new Object[] {true},
                new String[] {boolean.class.getName()});
        assertThat(((CompositeData) released).get("operation")).isEqualTo("releaseLock");
    }
}
