package dev.dbagent.internal.jmx;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import com.codahale.metrics.jmx.ObjectNameFactory;
import dev.dbagent.health.HealthMonitor;
import dev.dbagent.mbeans.ObjectNames;
import dev.dbagent.ops.Operations;
import dev.dbagent.internal.pool.ManagedPool;
import dev.dbagent.service.DatabaseService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The management surface of one agent: registers every MXBean of the contract in
 * {@code dev.dbagent.mbeans} over the agent's parts, and exports the agent's Dropwizard metrics
 * through a {@link JmxReporter}. {@link #close()} undoes exactly that.
 *
 * <pre>{@code
 * AgentManagement jmx = AgentManagement.register(server, "app", "test", startedAt, clock,
 *         pools, services, health, operations, metrics);
 * ...
 * jmx.close();   // unregisters exactly the names registered above and stops the reporter
 * }</pre>
 *
 * <p>Beans registered (see {@link ObjectNames}): {@code type=Agent}; per pool {@code type=Pool} and
 * its {@code type=CircuitBreaker,layer=pool}; per service {@code type=Service} and its
 * {@code type=CircuitBreaker,layer=service}; {@code type=Health}; per database {@code type=Operations}. A part
 * that is null (or an empty collection) is skipped, so a partially assembled agent can still be
 * managed. Metrics go to {@code dev.dbagent.metrics:agent=<agent>,type=<kind>,name=<metric>}; only
 * metrics named {@code dbagent.<agent>.*} are exported, so a registry shared with the
 * application (or another agent) exports nothing foreign under this agent's name.
 *
 * <p>Thread-safe: registration happens in {@code register}; {@code close} is synchronized and
 * idempotent.
 */
public final class AgentManagement implements AutoCloseable {
    private final MBeanRegistry registry;
    private final List<Runnable> detach = new ArrayList<>();
    private final JmxReporter reporter;
    private boolean closed;

    private AgentManagement(MBeanRegistry registry, JmxReporter reporter, List<Runnable> detach) {
        this.registry = registry;
        this.reporter = reporter;
        this.detach.addAll(detach);
    }

    /**
     * Same as {@link #register(MBeanServer, String, String, Instant, Clock, List, Map, HealthMonitor,
     * Map, MetricRegistry)} with the system UTC clock.
     *
     * @param server where to register
     * @param agentName the agent name
     * @param environment the environment key
     * @param startedAt when the agent started
     * @param pools every pool of the agent (primary and replicas), may be null
     * @param services the services by database name, may be null
     * @param health the health monitor, may be null
     * @param operations the operations by database name, may be null
     * @param metrics the agent's metric registry, may be null
     * @return the registration; close it to unregister
     */
    public static AgentManagement register(MBeanServer server, String agentName, String environment,
            Instant startedAt, List<ManagedPool> pools, Map<String, DatabaseService> services, HealthMonitor health,
            Map<String, Operations> operations, MetricRegistry metrics) {
        return register(server, agentName, environment, startedAt, Clock.systemUTC(), pools, services, health,
                operations, metrics);
    }

    /**
     * Registers every bean of an agent and starts exporting its metrics. If one registration fails,
     * everything registered before it is unregistered again and the exception propagates.
     *
     * @param server where to register, e.g. the platform MBeanServer
     * @param agentName the agent name ({@code agent=} of every name)
     * @param environment the environment key, e.g. {@code production}
     * @param startedAt when the agent started
     * @param clock the agent's clock (uptime, borrower ages)
     * @param pools every pool of the agent (primary and replicas); null or empty registers none
     * @param services the services by database name, null or empty registers none
     * @param health the health monitor, null to skip the Health bean
     * @param operations the operations by database name; null or empty registers none
     * @param metrics the agent's metric registry, null to export no metrics
     * @return the registration; close it to unregister
     * @throws IllegalArgumentException if the agent name or a database name is not a valid name part
     * @throws IllegalStateException if a name is already registered (another agent with the same
     *     name in this MBeanServer); nothing stays registered
     */
    public static AgentManagement register(MBeanServer server, String agentName, String environment,
            Instant startedAt, Clock clock, List<ManagedPool> pools, Map<String, DatabaseService> services,
            HealthMonitor health, Map<String, Operations> operations, MetricRegistry metrics) {
        return register(server, agentName, "", environment, startedAt, clock, pools, services, health, operations,
                metrics);
    }

    /**
     * As {@link #register(MBeanServer, String, String, Instant, Clock, List, Map, HealthMonitor, Map,
     * MetricRegistry)}, for an agent with an instance id: the Agent bean's {@code Instance}
     * attribute and every notification's {@code instance} item carry it.
     *
     * @param server where to register
     * @param agentName the agent name
     * @param instance the agent's instance id ({@code dbagent.instance})
     * @param environment the environment key
     * @param startedAt when the agent started
     * @param clock the agent's clock
     * @param pools every pool of the agent; null or empty registers none
     * @param services the services by database name; null or empty registers none
     * @param health the health monitor, null to skip the Health bean
     * @param operations the operations by database name; null or empty registers none
     * @param metrics the agent's metric registry, null to export no metrics
     * @return the registration; close it to unregister
     */
    public static AgentManagement register(MBeanServer server, String agentName, String instance, String environment,
            Instant startedAt, Clock clock, List<ManagedPool> pools, Map<String, DatabaseService> services,
            HealthMonitor health, Map<String, Operations> operations, MetricRegistry metrics) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(instance, "instance");
        ObjectNames.checkNamePart("agent name", agentName);
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(clock, "clock");
        List<ManagedPool> poolList = pools == null ? List.of() : pools;
        Map<String, DatabaseService> serviceMap = services == null ? Map.of() : services;

        MBeanRegistry registry = new MBeanRegistry(server);
        List<Runnable> detach = new ArrayList<>();
        JmxReporter reporter = null;
        try {
            Set<String> databases = new LinkedHashSet<>();
            poolList.forEach(p -> databases.add(p.database()));
            databases.addAll(serviceMap.keySet());
            registry.register(new AgentMXBeanAdapter(agentName, instance, environment, startedAt, List.copyOf(databases), clock),
                    ObjectNames.agent(agentName));

            for (ManagedPool pool : poolList) {
                ObjectName poolName = ObjectNames.pool(agentName, pool.database(), pool.role());
                PoolMXBeanAdapter poolBean = new PoolMXBeanAdapter(pool, clock, poolName,
                        operations == null ? null : operations.get(pool.database()));
                poolBean.instance(instance);
                registry.register(poolBean, poolName);
                ObjectName breakerName = ObjectNames.poolBreaker(agentName, pool.database(), pool.role());
                CircuitBreakerMXBeanAdapter breaker = new CircuitBreakerMXBeanAdapter(pool.breaker(), pool.database(),
                        ObjectNames.LAYER_POOL, pool.role(), breakerName);
                breaker.instance(instance);
                detach.add(breaker::close);
                registry.register(breaker, breakerName);
            }
            for (Map.Entry<String, DatabaseService> e : serviceMap.entrySet()) {
                String db = e.getKey();
                registry.register(new ServiceMXBeanAdapter(e.getValue()), ObjectNames.service(agentName, db));
                ObjectName breakerName = ObjectNames.serviceBreaker(agentName, db);
                CircuitBreakerMXBeanAdapter breaker = new CircuitBreakerMXBeanAdapter(e.getValue().circuitBreaker(),
                        db, ObjectNames.LAYER_SERVICE, "", breakerName);
                breaker.instance(instance);
                detach.add(breaker::close);
                registry.register(breaker, breakerName);
            }
            if (health != null) {
                ObjectName name = ObjectNames.health(agentName);
                HealthMXBeanAdapter bean = new HealthMXBeanAdapter(health, name);
                bean.instance(instance);
                detach.add(bean::close);
                registry.register(bean, name);
            }
            for (Map.Entry<String, Operations> e : (operations == null ? Map.<String, Operations>of() : operations).entrySet()) {
                ObjectName name = ObjectNames.operations(agentName, e.getKey());
                OperationsMXBeanAdapter bean = new OperationsMXBeanAdapter(e.getValue(), name, clock);
                bean.instance(instance);
                detach.add(bean::close);
                registry.register(bean, name);
            }
            if (metrics != null) {
                reporter = metricsReporter(server, agentName, metrics);
                reporter.start();
            }
            return new AgentManagement(registry, reporter, detach);
        } catch (RuntimeException e) {
            if (reporter != null) {
                reporter.stop();
            }
            detach.forEach(Runnable::run);
            registry.unregisterAll();
            throw e;
        }
    }

    /**
     * A reporter exporting the agent's metrics ({@code dbagent.<agent>.*}) as
     * {@code dev.dbagent.metrics:agent=<agent>,type=<kind>,name=<metric>}; not started.
     *
     * @param server where to register
     * @param agentName the agent name
     * @param metrics the registry
     * @return the reporter
     */
    static JmxReporter metricsReporter(MBeanServer server, String agentName, MetricRegistry metrics) {
        String prefix = "dbagent." + agentName + ".";
        ObjectNameFactory names = (kind, domain, metricName) -> ObjectNames.metric(agentName, kind, metricName);
        return JmxReporter.forRegistry(metrics)
                .registerWith(server)
                .inDomain(ObjectNames.METRICS_DOMAIN)
                .createsObjectNamesWith(names)
                .filter((metricName, metric) -> metricName.startsWith(prefix))
                .build();
    }

    /** @return the names of the beans registered (metrics excluded), in registration order */
    public List<ObjectName> registeredNames() {
        return registry.registeredNames();
    }

    /**
     * Stops exporting metrics, detaches the adapters from the agent's parts and unregisters exactly
     * the beans registered by {@code register}. Idempotent; never throws for a bean someone else
     * already unregistered.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (reporter != null) {
            reporter.stop();
        }
        detach.forEach(Runnable::run);
        registry.unregisterAll();
    }

    @Override
    public String toString() {
        return "AgentManagement[" + registry + "]";
    }
}
