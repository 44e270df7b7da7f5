package dev.dbagent.mbeans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DataClassesTest {

    @Test
    void arraysAreCopiedInAndOut() {
        StepInfo[] steps = {new StepInfo("lock", 1L, "")};
        String[] warnings = {"w1"};
        OperationResultInfo result = new OperationResultInfo("migrate", true, "s", "t", 3L, steps, warnings);

        steps[0] = new StepInfo("changed", 9L, "x");
        warnings[0] = "changed";
        result.getWarnings()[0] = "changed again";

        assertThat(result.getSteps()).containsExactly(new StepInfo("lock", 1L, ""));
        assertThat(result.getWarnings()).containsExactly("w1");
    }

    @Test
    void nullValuesAreRejectedNamingTheField() {
        assertThatThrownBy(() -> new BorrowerInfo("t", null, 1L, ""))
                .isExactlyInstanceOf(NullPointerException.class).hasMessage("borrowedAt");
        assertThatThrownBy(() -> new SlowQueryInfo("select 1", 1L, "main", "primary", null, "now"))
                .isExactlyInstanceOf(NullPointerException.class).hasMessage("callSite");
        assertThatThrownBy(() -> new HealthReportInfo("UP", "now", 1L,
                new HealthCheckInfo[] {TestBeans.CHECKS[0], null}, new IssueInfo[0]))
                .isExactlyInstanceOf(NullPointerException.class).hasMessage("checks[1]");
        assertThatThrownBy(() -> new OperationResultInfo("init", true, "s", "t", 1L, new StepInfo[0], null))
                .isExactlyInstanceOf(NullPointerException.class).hasMessage("warnings");
    }

    @Test
    void equalValuesAreEqual() {
        assertThat(TestBeans.result("migrate", false)).isEqualTo(TestBeans.result("migrate", false))
                .hasSameHashCodeAs(TestBeans.result("migrate", false))
                .isNotEqualTo(TestBeans.result("migrate", true));
        assertThat(new ErrorCountInfo("java.sql.SQLException", 2L)).isNotEqualTo(new ErrorCountInfo("java.sql.SQLException", 3L));
    }

    @Test
    void toStringsAreReadable() {
        assertThat(TestBeans.result("migrate", true))
                .hasToString("OperationResultInfo[migrate succeeded in 120 ms: migrate summary]");
        assertThat(TestBeans.CHECKS[1])
                .hasToString("main.replicaLag DEGRADED (5 ms): replica-1 is 12 s behind (limit 5 s)");
        assertThat(new StepInfo("apply orders-001", 12L, "")).hasToString("apply orders-001 (12 ms)");
        assertThat(TestBeans.ISSUES[0]).hasToString("WARNING main.replicaLag: replica-1 is 12 s behind; reads go to the primary");
    }
}
