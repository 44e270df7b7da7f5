package dev.dbagent;

import com.codahale.metrics.MetricRegistry;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.health.HealthMonitor;
import dev.dbagent.ops.Operations;
import dev.dbagent.ops.OperationsSettings;
import dev.dbagent.pool.ConnectionManager;
import dev.dbagent.pool.DatabaseRouter;
import dev.dbagent.schema.DomainSchema;
import dev.dbagent.service.DatabaseService;
import dev.dbagent.jmx.remote.JolokiaServer;
import dev.dbagent.jmx.remote.RemoteJmxServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.MBeanServer;
import javax.management.remote.JMXServiceURL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent an application embeds: owns the pools, services, health monitor, operations and the
 * management surface of one validated {@link AgentConfig}.
 *
 * <p>{@link #start()} brings parts up in order — pools and their breakers, services,
 * migrate-on-start (when configured), the health schedule, MBeans, remote JMX and Jolokia — and a
 * failure on the way undoes whatever had started. {@link #close()} stops them in reverse. Both are
 * idempotent. Several agents may run in one JVM under different names; a second running agent
 * with the same name is refused, because its MBean names would collide.
 *
 * <p>Thread-safe: lifecycle methods are synchronized; accessors may be called from any thread
 * while the agent runs.
 *
 * <pre>{@code
 * AgentConfig config = ConfigLoader.system(Path.of("dbagent.properties")).load();
 * try (DatabaseAgent agent = DatabaseAgent.builder(config).start()) {
 *     DatabaseService db = agent.service("main");
 *     long n = db.read(h -> h.createQuery("SELECT count(*) FROM bill").mapTo(Long.class).one());
 * }
 * }</pre>
 */
public final class DatabaseAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseAgent.class);
    private static final Set<String> RUNNING = ConcurrentHashMap.newKeySet();

    private final AgentConfig config;
    private final Clock clock;
    private final MBeanServer mbeanServer;
    private final MetricRegistry metrics;
    private final Deque<Runnable> stopActions = new ArrayDeque<>();
    private final Map<String, DatabaseService> services = new LinkedHashMap<>();
    private volatile ConnectionManager connections;
    private volatile HealthMonitor health;
    private volatile Operations operations;
    private volatile Instant startedAt;
    private volatile RemoteJmxServer remoteJmx;
    private volatile JolokiaServer jolokia;
    private boolean running;

    private DatabaseAgent(Builder b) {
        this.config = b.config;
        this.clock = b.clock;
        this.mbeanServer = b.mbeanServer != null ? b.mbeanServer : ManagementFactory.getPlatformMBeanServer();
        this.metrics = b.metrics != null ? b.metrics : new MetricRegistry();
    }

    /**
     * @param config a validated configuration
     * @return a builder for an agent over it
     */
    public static Builder builder(AgentConfig config) {
        return new Builder(config);
    }

    /**
     * Starts every part. Idempotent while running.
     *
     * @return this agent
     * @throws OperationRefusedException if an agent of the same name already runs in this JVM, or
     *     remote management without authentication is configured in staging or production
     * @throws DbAgentException if a part fails to start; everything started before it is stopped
     */
    public synchronized DatabaseAgent start() {
        if (running) {
            return this;
        }
        if (!RUNNING.add(config.name())) {
            throw new OperationRefusedException("an agent named '" + config.name()
                    + "' is already running in this JVM; give each agent its own dbagent.name");
        }
        stopActions.push(() -> RUNNING.remove(config.name()));
        try {
            startedAt = clock.instant();
            Parts.start(this);
            running = true;
            LOG.info("agent '{}' started ({}, databases {})", config.name(), config.environment().key(),
                    services.keySet());
            return this;
        } catch (RuntimeException | Error e) {
            LOG.error("agent '{}' failed to start, stopping what had started: {}", config.name(), e.getMessage());
            runStopActions();
            throw e instanceof DbAgentException d ? d
                    : new DbAgentException("agent '" + config.name() + "' failed to start: " + e.getMessage(), e);
        }
    }

    /** Stops every part in reverse order of starting. Idempotent. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        runStopActions();
        LOG.info("agent '{}' stopped", config.name());
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    private void runStopActions() {
        while (!stopActions.isEmpty()) {
            Runnable action = stopActions.pop();
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("agent '{}': a part failed to stop cleanly: {}", config.name(), e.getMessage());
            }
        }
        services.clear();
        remoteJmx = null;
        jolokia = null;
        connections = null;
        health = null;
        operations = null;
    }

    /** Registers what to undo, in reverse, on stop or on a failed start. */
    void onStop(Runnable action) {
        stopActions.push(action);
    }

    /** @return the agent's name (the {@code agent=} part of its ObjectNames) */
    public String name() {
        return config.name();
    }

    /** @return the environment */
    public Environment environment() {
        return config.environment();
    }

    /** @return the configuration the agent runs with */
    public AgentConfig config() {
        return config;
    }

    /** @return when the agent started, null before */
    public Instant startedAt() {
        return startedAt;
    }

    /** @return true between a successful start and stop */
    public synchronized boolean isRunning() {
        return running;
    }

    /**
     * @param database a configured database name
     * @return its service
     * @throws NoSuchElementException if no such database is configured
     * @throws IllegalStateException if the agent is not running
     */
    public DatabaseService service(String database) {
        requireRunning();
        DatabaseService s = services.get(database);
        if (s == null) {
            throw new NoSuchElementException("no database '" + database + "' in agent '" + name() + "'; known: "
                    + services.keySet());
        }
        return s;
    }

    /** @return the service of the agent's first database (the one operations act on) */
    public DatabaseService service() {
        requireRunning();
        return services.values().iterator().next();
    }

    /** @return the health monitor */
    public HealthMonitor health() {
        requireRunning();
        return health;
    }

    /** @return the canonical operations on the agent's first database */
    public Operations operations() {
        requireRunning();
        return operations;
    }

    /** @return the metric registry every part reports to */
    public MetricRegistry metrics() {
        return metrics;
    }

    /** @return the MBeanServer the agent registers with */
    public MBeanServer mbeanServer() {
        return mbeanServer;
    }

    /**
     * @return the remote JMX connector's address, e.g.
     *     {@code service:jmx:rmi:///jndi/rmi://127.0.0.1:9010/jmxrmi}, if remote JMX runs
     */
    public Optional<JMXServiceURL> jmxServiceUrl() {
        RemoteJmxServer r = remoteJmx;
        return r == null ? Optional.empty() : Optional.of(r.serviceUrl());
    }

    /** @return the Jolokia endpoint, e.g. {@code http://127.0.0.1:8778/jolokia/}, if Jolokia runs */
    public Optional<URI> jolokiaUrl() {
        JolokiaServer j = jolokia;
        return j == null ? Optional.empty() : Optional.of(j.url());
    }

    Operations operationsOrNull() {
        return operations;
    }

    void remoteJmx(RemoteJmxServer server) {
        this.remoteJmx = server;
    }

    void jolokia(JolokiaServer server) {
        this.jolokia = server;
    }

    /** @return the clock */
    Clock clock() {
        return clock;
    }

    ConnectionManager connections() {
        return connections;
    }

    List<DatabaseRouter> routers() {
        return connections.routers();
    }

    Map<String, DatabaseService> services() {
        return services;
    }

    void connections(ConnectionManager c) {
        this.connections = c;
    }

    void health(HealthMonitor h) {
        this.health = h;
    }

    void operations(Operations o) {
        this.operations = o;
    }

    private void requireRunning() {
        if (connections == null) {
            throw new IllegalStateException("agent '" + name() + "' is not running");
        }
    }

    /** The first configured database: the one migrations, operations and the demo act on. */
    DatabaseConfig primaryDatabase() {
        return config.databases().get(0);
    }

    /** Builds an Operations object over a database's primary. */
    Operations newOperations(DatabaseConfig db) {
        return Operations.builder()
                .jdbcUrl(db.url())
                .user(db.user().orElse(null))
                .password(db.password().map(Secret::reveal).orElse(null))
                .targetSchema(db.connection().currentSchema())
                .changelog(config.migrate().changelog())
                .referenceContext(DomainSchema.REFERENCE_CONTEXT)
                .daoClasses(DomainSchema.daoClasses())
                .healthReport(() -> {
                    HealthMonitor h = health;
                    return h == null ? "DOWN\nhealth monitor not running" : h.runNow().toText();
                })
                .settings(new OperationsSettings(config.environment().key(), config.ops().resetEnabled(),
                        config.ops().resetTokenTtl(), clock))
                .build();
    }

    @Override
    public String toString() {
        return "DatabaseAgent[" + name() + ", " + environment().key() + ", running=" + running + "]";
    }

    /** Configures a {@link DatabaseAgent}. Not thread-safe. */
    public static final class Builder {
        private final AgentConfig config;
        private Clock clock = Clock.systemUTC();
        private MBeanServer mbeanServer;
        private MetricRegistry metrics;

        private Builder(AgentConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /**
         * @param clock time source of breakers, reset tokens and reports (default system UTC)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param server where to register the MBeans (default: the platform MBeanServer)
         * @return this builder
         */
        public Builder mbeanServer(MBeanServer server) {
            this.mbeanServer = Objects.requireNonNull(server, "server");
            return this;
        }

        /**
         * @param registry the registry to report metrics to (default: a new one)
         * @return this builder
         */
        public Builder metrics(MetricRegistry registry) {
            this.metrics = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** @return a new, not yet started agent */
        public DatabaseAgent build() {
            return new DatabaseAgent(this);
        }

        /**
         * @return a started agent
         * @see DatabaseAgent#start()
         */
        public DatabaseAgent start() {
            return build().start();
        }
    }
}
