package dev.dbagent.mbeans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectNamesTest {

    @Test
    void namesReadExactlyAsDocumented() {
        assertThat(ObjectNames.agent("orders-app")).hasToString("dev.dbagent:type=Agent,agent=orders-app");
        assertThat(ObjectNames.pool("orders-app", "main", "primary"))
                .hasToString("dev.dbagent:type=Pool,agent=orders-app,database=main,role=primary");
        assertThat(ObjectNames.pool("orders-app", "main", "replica-12"))
                .hasToString("dev.dbagent:type=Pool,agent=orders-app,database=main,role=replica-12");
        assertThat(ObjectNames.poolBreaker("orders-app", "main", "replica-1"))
                .hasToString("dev.dbagent:type=CircuitBreaker,agent=orders-app,database=main,layer=pool,role=replica-1");
        assertThat(ObjectNames.serviceBreaker("orders-app", "main"))
                .hasToString("dev.dbagent:type=CircuitBreaker,agent=orders-app,database=main,layer=service");
        assertThat(ObjectNames.service("orders-app", "main"))
                .hasToString("dev.dbagent:type=Service,agent=orders-app,database=main");
        assertThat(ObjectNames.health("orders-app")).hasToString("dev.dbagent:type=Health,agent=orders-app");
        assertThat(ObjectNames.operations("orders-app", "main")).hasToString("dev.dbagent:type=Operations,agent=orders-app,database=main");
        assertThat(ObjectNames.metric("orders-app", "timers", "dbagent.main.write"))
                .hasToString("dev.dbagent.metrics:agent=orders-app,type=timers,name=dbagent.main.write");
    }

    @Test
    void namesAreNotPatternsAndCarryTheirKeys() {
        ObjectName name = ObjectNames.poolBreaker("a1", "db_1", "primary");

        assertThat(name.isPattern()).isFalse();
        assertThat(name.getDomain()).isEqualTo(ObjectNames.DOMAIN);
        assertThat(name.getKeyProperty(ObjectNames.KEY_TYPE)).isEqualTo(ObjectNames.TYPE_CIRCUIT_BREAKER);
        assertThat(name.getKeyProperty(ObjectNames.KEY_AGENT)).isEqualTo("a1");
        assertThat(name.getKeyProperty(ObjectNames.KEY_DATABASE)).isEqualTo("db_1");
        assertThat(name.getKeyProperty(ObjectNames.KEY_LAYER)).isEqualTo(ObjectNames.LAYER_POOL);
        assertThat(name.getKeyProperty(ObjectNames.KEY_ROLE)).isEqualTo("primary");
        assertThat(ObjectNames.serviceBreaker("a1", "db_1").getKeyProperty(ObjectNames.KEY_ROLE)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a,b", "a=b", "a:b", "a\"b", "a*", "a?", "a b", "a/b", "a\\b", ".hidden", "-x", ""})
    void rejectsAgentNamesThatAreNotPlainIdentifiers(String bad) {
        assertThatThrownBy(() -> ObjectNames.agent(bad))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("agent name must match [A-Za-z0-9][A-Za-z0-9._-]*")
                .hasMessageEndingWith("but was \"" + bad.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }

    @Test
    void rejectsADatabaseNameWithANewlineAndShowsItEscaped() {
        assertThatThrownBy(() -> ObjectNames.service("app", "main\ntype=Agent"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("database name must match [A-Za-z0-9][A-Za-z0-9._-]* (letters, digits, '.', '_', '-';"
                        + " no ',', '=', ':', '\"', '*', '?', whitespace or newline), but was \"main\\ntype=Agent\"");
    }

    @Test
    void rejectsNullNamePartsNamingThePart() {
        assertThatThrownBy(() -> ObjectNames.pool("app", null, "primary"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("database name must match")
                .hasMessageEndingWith("but was null");
        assertThatThrownBy(() -> ObjectNames.health(null))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("agent name must match");
    }

    @ParameterizedTest
    @ValueSource(strings = {"replica", "replica-", "replica-01", "replica--1", "Primary", "secondary", "replica-1,x", ""})
    void rejectsRolesOtherThanPrimaryOrReplicaN(String bad) {
        assertThatThrownBy(() -> ObjectNames.pool("app", "main", bad))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("role must be primary or replica-N (N >= 0, no leading zeros), but was \"" + bad + "\"");
        assertThatThrownBy(() -> ObjectNames.poolBreaker("app", "main", bad))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("role must be primary or replica-N");
    }

    @Test
    void replicaRolesAreTheConfigurationIndex() {
        assertThat(ObjectNames.replicaRole(0)).isEqualTo("replica-0");
        assertThat(ObjectNames.pool("app", "main", "replica-0"))
                .hasToString("dev.dbagent:type=Pool,agent=app,database=main,role=replica-0");
        assertThat(ObjectNames.replicaRole(10)).isEqualTo("replica-10");
        assertThat(ObjectNames.checkRole(ObjectNames.replicaRole(3))).isEqualTo("replica-3");
        assertThatThrownBy(() -> ObjectNames.replicaRole(-1))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("replica index must be >= 0, but was -1");
    }

    @Test
    void validNamePartsAreAcceptedUnchanged() {
        assertThat(ObjectNames.checkNamePart("agent name", "Orders.App_2-eu")).isEqualTo("Orders.App_2-eu");
        assertThat(ObjectNames.isValidNamePart("9lives")).isTrue();
        assertThat(ObjectNames.isValidNamePart("a b")).isFalse();
        assertThat(ObjectNames.isValidNamePart(null)).isFalse();
    }

    @Test
    void metricNamesAreQuotedOnlyWhenTheyNeedIt() throws Exception {
        ObjectName quoted = ObjectNames.metric("app", "gauges", "pool,main=primary:active");

        assertThat(quoted).hasToString("dev.dbagent.metrics:agent=app,type=gauges,name=\"pool,main=primary:active\"");
        assertThat(ObjectName.unquote(quoted.getKeyProperty("name"))).isEqualTo("pool,main=primary:active");
        assertThat(quoted.isPattern()).isFalse();
        assertThat(ObjectNames.metric("app", "gauges", "what?*").getKeyProperty("name")).isEqualTo("\"what\\?\\*\"");
        assertThatThrownBy(() -> ObjectNames.metric("app", "gauges", ""))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("metric name must not be empty, but was \"\"");
        assertThatThrownBy(() -> ObjectNames.metric("app", "time rs", "x"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("metric kind must match");
    }

    @Test
    void patternsSelectExactlyOneAgentsBeans() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        Set<ObjectName> mine = Set.of(
                ObjectNames.agent("app"),
                ObjectNames.pool("app", "main", "primary"),
                ObjectNames.pool("app", "main", "replica-1"),
                ObjectNames.poolBreaker("app", "main", "primary"),
                ObjectNames.poolBreaker("app", "main", "replica-1"),
                ObjectNames.serviceBreaker("app", "main"),
                ObjectNames.service("app", "main"),
                ObjectNames.health("app"),
                ObjectNames.operations("app", "main"));
        Set<ObjectName> theirs = Set.of(
                ObjectNames.agent("app2"),
                ObjectNames.pool("app2", "main", "primary"),
                ObjectNames.health("app2"));
        ObjectName myMetric = ObjectNames.metric("app", "timers", "main.write");
        ObjectName theirMetric = ObjectNames.metric("app2", "timers", "main.write");
        for (ObjectName name : mine) {
            server.registerMBean(new TestBeans.Agent(), name);
        }
        for (ObjectName name : theirs) {
            server.registerMBean(new TestBeans.Agent(), name);
        }
        server.registerMBean(new TestBeans.Agent(), myMetric);
        server.registerMBean(new TestBeans.Agent(), theirMetric);

        assertThat(ObjectNames.allOfAgent("app")).hasToString("dev.dbagent:agent=app,*");
        assertThat(ObjectNames.allOfAgent("app").isPattern()).isTrue();
        assertThat(server.queryNames(ObjectNames.allOfAgent("app"), null)).containsExactlyInAnyOrderElementsOf(mine);
        assertThat(server.queryNames(ObjectNames.metricsOfAgent("app"), null)).containsExactly(myMetric);
        assertThat(server.queryNames(ObjectNames.ofType(ObjectNames.TYPE_POOL, "app"), null))
                .containsExactlyInAnyOrder(ObjectNames.pool("app", "main", "primary"),
                        ObjectNames.pool("app", "main", "replica-1"));
        assertThat(server.queryNames(ObjectNames.ofType(ObjectNames.TYPE_CIRCUIT_BREAKER, "app"), null)).hasSize(3);
        assertThat(ObjectNames.ofType(ObjectNames.TYPE_HEALTH, "app2"))
                .hasToString("dev.dbagent:type=Health,agent=app2,*");
    }

    @Test
    void ofTypeRejectsUnknownTypes() {
        assertThatThrownBy(() -> ObjectNames.ofType("pool", "app"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("type must be one of Agent, Pool, CircuitBreaker, Service, Health, Operations,"
                        + " but was \"pool\"");
    }
}
