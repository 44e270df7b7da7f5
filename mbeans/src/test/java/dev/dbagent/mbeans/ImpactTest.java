package dev.dbagent.mbeans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.management.JMX;
import javax.management.MBeanOperationInfo;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * Every operation of the contract carries an access decision, and a bean registered through
 * {@link ContractMBean} reports it to remote clients as {@link MBeanOperationInfo#getImpact()}.
 */
class ImpactTest extends OverRemoteJmx {

    /** Every MXBean interface in the contract package, found on disk so a new one cannot be missed. */
    static List<Class<?>> contracts() throws IOException, URISyntaxException {
        Path dir = Path.of(ObjectNames.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/dbagent/mbeans");
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith("MXBean.class"))
                    .map(n -> load("dev.dbagent.mbeans." + n.substring(0, n.length() - ".class".length())))
                    .filter(JMX::isMXBeanInterface)
                    .collect(Collectors.toList());
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyOperationOfEveryContractCarriesAnImpact() throws Exception {
        List<Class<?>> contracts = contracts();
        assertThat(contracts).extracting(Class::getSimpleName).contains("OperationsMXBean", "PoolMXBean",
                "CircuitBreakerMXBean", "HealthMXBean", "AgentMXBean", "ServiceMXBean");

        for (Class<?> contract : contracts) {
            assertThat(ContractMBean.unmarkedOperations(contract)).as(contract.getSimpleName()).isEmpty();
        }
    }

    @Test
    void changingOperationsAreActionsAndReportsAreInfo() throws Exception {
        Map<String, Impact.Kind> operations = Arrays.stream(OperationsMXBean.class.getMethods())
                .filter(ContractMBean::isOperation)
                .collect(Collectors.toMap(Method::getName, m -> m.getAnnotation(Impact.class).value()));

        assertThat(operations).containsEntry("status", Impact.Kind.INFO).containsEntry("health", Impact.Kind.INFO)
                .containsEntry("verify", Impact.Kind.INFO).containsEntry("validate", Impact.Kind.INFO)
                .containsEntry("drift", Impact.Kind.INFO).containsEntry("profile", Impact.Kind.INFO)
                .containsEntry("init", Impact.Kind.ACTION).containsEntry("migrate", Impact.Kind.ACTION)
                .containsEntry("prepareReset", Impact.Kind.ACTION).containsEntry("reset", Impact.Kind.ACTION)
                .containsEntry("releaseLock", Impact.Kind.ACTION)
                .containsEntry("prepareRollback", Impact.Kind.ACTION).containsEntry("rollback", Impact.Kind.ACTION)
                .containsEntry("rollbackToTag", Impact.Kind.ACTION).containsEntry("preview", Impact.Kind.INFO)
                .containsEntry("changelogSync", Impact.Kind.ACTION).containsEntry("repairChecksums", Impact.Kind.ACTION);
    }

    @Test
    void aRemoteClientSeesTheDeclaredImpactOfEachOperation() throws Exception {
        ObjectName ops = ObjectNames.operations(TestBeans.AGENT, TestBeans.DB);
        ObjectName pool = ObjectNames.pool(TestBeans.AGENT, TestBeans.DB, "primary");
        ObjectName breaker = ObjectNames.serviceBreaker(TestBeans.AGENT, TestBeans.DB);
        jmx.register(ContractMBean.of(new TestBeans.Operations(), OperationsMXBean.class), ops);
        jmx.register(ContractMBean.of(new TestBeans.Pool(), PoolMXBean.class), pool);
        jmx.register(ContractMBean.of(new TestBeans.Breaker(breaker), CircuitBreakerMXBean.class), breaker);

        assertThat(impacts(ops)).containsEntry("status", MBeanOperationInfo.INFO)
                .containsEntry("reset", MBeanOperationInfo.ACTION).containsEntry("migrate", MBeanOperationInfo.ACTION)
                .containsEntry("preview", MBeanOperationInfo.INFO).containsEntry("rollback", MBeanOperationInfo.ACTION)
                .hasSize(17);
        assertThat(impacts(pool)).containsEntry("listBorrowers", MBeanOperationInfo.INFO)
                .containsEntry("evictIdleConnections", MBeanOperationInfo.ACTION);
        assertThat(impacts(breaker)).containsOnly(Map.entry("forceOpen", MBeanOperationInfo.ACTION),
                Map.entry("reset", MBeanOperationInfo.ACTION), Map.entry("disable", MBeanOperationInfo.ACTION),
                Map.entry("metricsOnly", MBeanOperationInfo.ACTION));
        // still a real MXBean: open types and the interface name survive the wrapping
        assertThat(jmx.connection.getMBeanInfo(ops).getDescriptor().getFieldValue("mxbean")).isEqualTo("true");
        assertThat(JMX.newMXBeanProxy(jmx.connection, ops, OperationsMXBean.class).status().getOperation())
                .isEqualTo("status");
    }

    @Test
    void aContractWithAnUnmarkedOperationIsRefused() {
        assertThatThrownBy(() -> ContractMBean.of(new Unmarked() {
            @Override
            public String getName() {
                return "x";
            }

            @Override
            public String dropEverything() {
                return "dropped";
            }
        }, UnmarkedMXBean.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operations without an @Impact decision: [dropEverything()]");
    }

    private Map<String, Integer> impacts(ObjectName name) throws Exception {
        return Arrays.stream(jmx.connection.getMBeanInfo(name).getOperations())
                .collect(Collectors.toMap(MBeanOperationInfo::getName, MBeanOperationInfo::getImpact));
    }

    /** A contract someone extended without deciding. */
    public interface UnmarkedMXBean {
        String getName();

        String dropEverything();
    }

    private interface Unmarked extends UnmarkedMXBean {
    }
}
