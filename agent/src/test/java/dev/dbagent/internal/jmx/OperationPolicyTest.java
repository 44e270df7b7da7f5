package dev.dbagent.internal.jmx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.mbeans.Impact;
import dev.dbagent.mbeans.OperationsMXBean;
import dev.dbagent.ops.Operation;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract's impact marking and the core's {@link Operation} policy are one decision: every
 * operation of the Operations MXBean maps to an {@link Operation} whose {@code changes()} is its
 * {@code ACTION} impact, so the JMX/Jolokia roles and the core can never disagree.
 */
class OperationPolicyTest {

    @Test
    void everyMXBeanOperationMapsToAnOperationWithTheSameImpact() {
        List<Method> operations = Arrays.stream(OperationsMXBean.class.getMethods())
                .filter(m -> !m.getName().startsWith("get")).toList();
        assertThat(operations).hasSizeGreaterThanOrEqualTo(17);
        for (Method m : operations) {
            String name = m.getName().equals("rollbackToTag") ? "rollback" : m.getName();
            Operation op = Operation.byName(name).orElseThrow(() -> new AssertionError(
                    m.getName() + " has no dev.dbagent.ops.Operation: decide its policy there"));
            Impact impact = m.getAnnotation(Impact.class);
            assertThat(impact).as(m.getName() + " has no @Impact").isNotNull();
            assertThat(impact.value() == Impact.Kind.ACTION).as(m.getName() + ": @Impact vs Operation.changes()")
                    .isEqualTo(op.changes());
        }
    }
}
