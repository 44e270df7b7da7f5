package dev.dbagent.mbeans;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.Descriptor;
import javax.management.JMX;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanOperationInfo;
import javax.management.ObjectName;
import javax.management.openmbean.ArrayType;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shape every generic client sees: exactly the documented attributes (all read-only) and
 * operations, each typed with an open type built only from simple types, arrays and composites.
 */
class MXBeanInfoTest extends OverRemoteJmx {

    record Contract(Class<?> type, Object bean, ObjectName name, List<String> attributes, List<String> operations) {
        @Override
        public String toString() {
            return type.getSimpleName();
        }
    }

    static Stream<Arguments> contracts() {
        ObjectName breaker = ObjectNames.serviceBreaker(TestBeans.AGENT, TestBeans.DB);
        return Stream.of(
                new Contract(AgentMXBean.class, new TestBeans.Agent(), ObjectNames.agent(TestBeans.AGENT),
                        List.of("Name", "Instance", "Environment", "Version", "UptimeMillis", "StartedAt", "Databases"),
                        List.of()),
                new Contract(PoolMXBean.class, new TestBeans.Pool(),
                        ObjectNames.pool(TestBeans.AGENT, TestBeans.DB, "primary"),
                        List.of("Database", "Role", "JdbcUrl", "Total", "Active", "Idle", "Waiting", "MaxTotal",
                                "MinIdle", "MaxWaitMillis", "PasswordSource", "BorrowWaitP50Millis",
                                "BorrowWaitP95Millis", "BorrowWaitP99Millis", "CreatedCount", "DestroyedCount",
                                "BorrowedCount"),
                        List.of("evictIdleConnections", "resize", "softEvictConnections", "rotateCredentials",
                                "listBorrowers", "listBorrowersText")),
                new Contract(CircuitBreakerMXBean.class, new TestBeans.Breaker(breaker), breaker,
                        List.of("Database", "Layer", "Role", "State", "FailureRatePercent", "SlowCallRatePercent",
                                "BufferedCalls", "FailedCalls", "SuccessfulCalls", "NotPermittedCalls",
                                "LastTransition", "LastTransitionAt", "LastTransitionCause"),
                        List.of("forceOpen", "reset", "disable", "metricsOnly")),
                new Contract(ServiceMXBean.class, new TestBeans.Service(),
                        ObjectNames.service(TestBeans.AGENT, TestBeans.DB),
                        List.of("Database", "Calls", "Errors", "ErrorsByClass", "Retries", "OutcomeUnknown",
                                "SlowQueryCount", "RecentSlowQueries"),
                        List.of()),
                new Contract(HealthMXBean.class, new TestBeans.Health(), ObjectNames.health(TestBeans.AGENT),
                        List.of("Status", "LastRunAt", "LastRunMillis", "Checks", "Issues"),
                        List.of("runNow", "runNowReport")),
                new Contract(OperationsMXBean.class, new TestBeans.Operations(),
                        ObjectNames.operations(TestBeans.AGENT, "main"),
                        List.of("Progress"),
                        List.of("init", "migrate", "status", "validate", "verify", "drift", "prepareReset", "reset",
                                "releaseLock", "profile", "health", "prepareRollback", "rollback", "rollbackToTag",
                                "preview", "changelogSync", "repairChecksums")))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contracts")
    void isAnMXBeanInterface(Contract contract) {
        assertThat(JMX.isMXBeanInterface(contract.type())).isTrue();
        assertThat(contract.type().getSimpleName()).endsWith("MXBean");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contracts")
    void registersAsAnMXBeanWithExactlyTheDocumentedAttributesAndOperations(Contract contract) throws Exception {
        jmx.register(contract.bean(), contract.name());

        MBeanInfo info = jmx.connection.getMBeanInfo(contract.name());

        assertThat(info.getDescriptor().getFieldValue("mxbean")).isEqualTo("true");
        assertThat(info.getDescriptor().getFieldValue("interfaceClassName")).isEqualTo(contract.type().getName());
        assertThat(Arrays.stream(info.getAttributes()).map(MBeanAttributeInfo::getName))
                .containsExactlyInAnyOrderElementsOf(contract.attributes());
        assertThat(Arrays.stream(info.getOperations()).map(MBeanOperationInfo::getName))
                .containsExactlyInAnyOrderElementsOf(contract.operations());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contracts")
    void everyAttributeIsReadOnlyAndOpenTyped(Contract contract) throws Exception {
        jmx.register(contract.bean(), contract.name());

        for (MBeanAttributeInfo attribute : jmx.connection.getMBeanInfo(contract.name()).getAttributes()) {
            assertThat(attribute.isReadable()).as(attribute.getName()).isTrue();
            assertThat(attribute.isWritable()).as(attribute.getName() + " writable").isFalse();
            assertOpen(attribute.getName(), attribute.getDescriptor());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contracts")
    void everyOperationTakesAndReturnsOpenTypes(Contract contract) throws Exception {
        jmx.register(contract.bean(), contract.name());

        for (MBeanOperationInfo operation : jmx.connection.getMBeanInfo(contract.name()).getOperations()) {
            assertOpen(operation.getName() + " result", operation.getDescriptor());
            Arrays.stream(operation.getSignature())
                    .forEach(p -> assertOpen(operation.getName() + "(" + p.getName() + ")", p.getDescriptor()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contracts")
    void aGenericClientReadsEveryAttributeAsJdkTypesOnly(Contract contract) throws Exception {
        jmx.register(contract.bean(), contract.name());
        String[] names = contract.attributes().toArray(new String[0]);

        AttributeList values = jmx.connection.getAttributes(contract.name(), names);

        assertThat(values.asList()).extracting(Attribute::getName).containsExactly(names);
        for (Attribute attribute : values.asList()) {
            assertJdkTypesOnly(attribute.getName(), attribute.getValue());
        }
    }

    @Test
    void dataClassesMapToCompositeTypesNamedAfterThem() throws Exception {
        jmx.register(new TestBeans.Health(), ObjectNames.health(TestBeans.AGENT));

        MBeanOperationInfo report = Arrays.stream(
                jmx.connection.getMBeanInfo(ObjectNames.health(TestBeans.AGENT)).getOperations())
                .filter(o -> o.getName().equals("runNowReport")).findFirst().orElseThrow();
        CompositeType type = (CompositeType) report.getDescriptor().getFieldValue("openType");

        assertThat(type.getTypeName()).isEqualTo(HealthReportInfo.class.getName());
        assertThat(type.keySet()).containsExactlyInAnyOrder("status", "runAt", "durationMillis", "checks", "issues");
        ArrayType<?> checks = (ArrayType<?>) type.getType("checks");
        assertThat(checks.getElementOpenType().getTypeName()).isEqualTo(HealthCheckInfo.class.getName());
    }

    @Test
    void notifyingBeansAdvertiseTheirNotificationTypes() throws Exception {
        ObjectName breaker = ObjectNames.poolBreaker(TestBeans.AGENT, TestBeans.DB, "primary");
        jmx.register(new TestBeans.Breaker(breaker), breaker);
        jmx.register(new TestBeans.Health(), ObjectNames.health(TestBeans.AGENT));
        jmx.register(new TestBeans.Operations(), ObjectNames.operations(TestBeans.AGENT, "main"));

        assertThat(types(breaker)).containsExactly(Notifications.BREAKER_STATE);
        assertThat(types(ObjectNames.health(TestBeans.AGENT))).containsExactly(Notifications.HEALTH_STATUS);
        assertThat(types(ObjectNames.operations(TestBeans.AGENT, "main"))).containsExactly(Notifications.OPS_COMPLETED);
    }

    private List<String> types(ObjectName name) throws Exception {
        return Arrays.stream(jmx.connection.getMBeanInfo(name).getNotifications())
                .map(MBeanNotificationInfo::getNotifTypes).flatMap(Arrays::stream).toList();
    }

    private static void assertOpen(String what, Descriptor descriptor) {
        Object openType = descriptor.getFieldValue("openType");
        assertThat(openType).as(what + " openType").isInstanceOf(OpenType.class);
        assertBuiltFromSimpleArraysAndComposites(what, (OpenType<?>) openType);
    }

    /** What JConsole or jmxterm can hold without dbagent classes: JDK values, arrays, CompositeData. */
    private static void assertJdkTypesOnly(String what, Object value) {
        assertThat(value).as(what).isNotNull();
        if (value instanceof CompositeData composite) {
            composite.getCompositeType().keySet()
                    .forEach(key -> assertJdkTypesOnly(what + "." + key, composite.get(key)));
        } else if (value.getClass().isArray() && !value.getClass().getComponentType().isPrimitive()) {
            Object[] elements = (Object[]) value;
            for (int i = 0; i < elements.length; i++) {
                assertJdkTypesOnly(what + "[" + i + "]", elements[i]);
            }
        } else {
            assertThat(value.getClass().getName()).as(what).startsWith("java.");
        }
    }

    /** No TabularType (a Map) anywhere, however deep. */
    private static void assertBuiltFromSimpleArraysAndComposites(String what, OpenType<?> type) {
        if (type instanceof ArrayType<?> array) {
            assertBuiltFromSimpleArraysAndComposites(what + "[]", array.getElementOpenType());
        } else if (type instanceof CompositeType composite) {
            composite.keySet().forEach(key -> assertBuiltFromSimpleArraysAndComposites(what + "." + key,
                    composite.getType(key)));
        } else {
            assertThat(type).as(what).isInstanceOf(SimpleType.class);
        }
    }
}
