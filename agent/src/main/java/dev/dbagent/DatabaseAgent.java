package dev.dbagent;

import com.codahale.metrics.MetricRegistry;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.MigrateSettings;
import dev.dbagent.health.HealthMonitor;
import dev.dbagent.ops.Operations;
import dev.dbagent.internal.pool.ConnectionManager;
import dev.dbagent.service.DatabaseService;
import dev.dbagent.internal.http.ManagementHttpServer;
import dev.dbagent.internal.jmx.remote.JolokiaServer;
import dev.dbagent.internal.jmx.remote.RemoteJmxServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.management.MBeanServer;
import javax.management.remote.JMXServiceURL;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
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
    private final Map<String, DatabaseUnit> units = new LinkedHashMap<>();
    private final Map<String, Catalogue> catalogues;
    private final Map<String, Consumer<Jdbi>> jdbiCustomizers;
    private volatile ConnectionManager connections;
    private volatile HealthMonitor health;
    private volatile Instant startedAt;
    private volatile RemoteJmxServer remoteJmx;
    private volatile JolokiaServer jolokia;
    private volatile ManagementHttpServer http;
    private boolean running;

    private DatabaseAgent(Builder b) {
        this.config = b.config;
        this.clock = b.clock;
        this.mbeanServer = b.mbeanServer != null ? b.mbeanServer : ManagementFactory.getPlatformMBeanServer();
        this.metrics = b.metrics != null ? b.metrics : new MetricRegistry();
        this.catalogues = Map.copyOf(b.catalogues);
        this.jdbiCustomizers = Map.copyOf(b.jdbiCustomizers);
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
                    units.keySet());
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
        units.clear();
        remoteJmx = null;
        jolokia = null;
        http = null;
        connections = null;
        health = null;
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

    /** @return the configured database names, sorted by name */
    public List<String> databases() {
        return config.databases().stream().map(DatabaseConfig::name).toList();
    }

    /**
     * @param database a configured database name
     * @return its service
     * @throws NoSuchElementException if no such database is configured
     * @throws IllegalStateException if the agent is not running
     */
    public DatabaseService service(String database) {
        return unit(database).service();
    }

    /**
     * @return the service of the agent's only database
     * @throws IllegalStateException if the agent is not running or has more than one database
     */
    public DatabaseService service() {
        return only("service").service();
    }

    /**
     * A {@link DataSource} for applications that use plain JDBC, JPA, jOOQ or another library: its
     * connections are routed like the service's ({@link Intent#WRITE} to the primary,
     * {@link Intent#READ} to a healthy replica within the lag bound with a read-only session) and
     * borrowed through the pool breaker. Closing a connection returns it to the pool.
     *
     * @param database a configured database name
     * @param intent where connections go
     * @return the data source; the same instance for the same arguments while the agent runs
     * @throws NoSuchElementException if no such database is configured
     * @throws IllegalStateException if the agent is not running
     */
    public DataSource dataSource(String database, Intent intent) {
        return unit(database).dataSource(Objects.requireNonNull(intent, "intent"));
    }

    /** @return the health monitor */
    public HealthMonitor health() {
        requireRunning();
        return health;
    }

    /**
     * @param database a configured database name
     * @return the canonical operations on that database
     * @throws NoSuchElementException if no such database is configured
     * @throws IllegalStateException if the agent is not running
     */
    public Operations operations(String database) {
        return unit(database).operations();
    }

    /**
     * @return the operations of the agent's only database
     * @throws IllegalStateException if the agent is not running or has more than one database
     */
    public Operations operations() {
        return only("operations").operations();
    }

    private DatabaseUnit unit(String database) {
        requireRunning();
        DatabaseUnit u = units.get(Objects.requireNonNull(database, "database"));
        if (u == null) {
            throw new NoSuchElementException("no database '" + database + "' in agent '" + name() + "'; known: "
                    + units.keySet());
        }
        return u;
    }

    private DatabaseUnit only(String what) {
        requireRunning();
        if (units.size() != 1) {
            throw new IllegalStateException("agent '" + name() + "' has " + units.size() + " databases " + units.keySet()
                    + "; name the database: " + what + "(\"<database>\")");
        }
        return units.values().iterator().next();
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

    /**
     * @return the management HTTP endpoint's base address, e.g. {@code http://127.0.0.1:9464/}
     *     ({@code /health/live}, {@code /health/ready}, {@code /metrics}), if it runs
     */
    public Optional<URI> httpUrl() {
        ManagementHttpServer h = http;
        return h == null ? Optional.empty() : Optional.of(h.url());
    }

    void http(ManagementHttpServer server) {
        this.http = server;
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

    Map<String, DatabaseUnit> units() {
        return units;
    }

    void connections(ConnectionManager c) {
        this.connections = c;
    }

    void health(HealthMonitor h) {
        this.health = h;
    }

    HealthMonitor healthOrNull() {
        return health;
    }

    private void requireRunning() {
        if (connections == null) {
            throw new IllegalStateException("agent '" + name() + "' is not running");
        }
    }

    /** The catalogue given in code wins over the database's {@code migrate.*} and {@code verify.daos} keys. */
    Optional<Catalogue> catalogue(DatabaseConfig db) {
        Catalogue inCode = catalogues.get(db.name());
        if (inCode != null) {
            return Optional.of(inCode);
        }
        MigrateSettings m = db.migrate();
        if (m.changelog().isEmpty()) {
            return Optional.empty();
        }
        List<Class<?>> daos = new ArrayList<>();
        for (String name : m.verifyDaos()) {
            try {
                daos.add(Class.forName(name, false, classLoader()));
            } catch (ClassNotFoundException e) {
                // the loader checked this; a class that vanished since is a start failure
                throw new DbAgentException("database '" + db.name() + "': DAO " + name + " cannot be loaded", e);
            }
        }
        return Optional.of(new Catalogue(m.changelog().get(), m.referenceContexts(), daos));
    }

    private static ClassLoader classLoader() {
        ClassLoader l = Thread.currentThread().getContextClassLoader();
        return l != null ? l : DatabaseAgent.class.getClassLoader();
    }

    Optional<Consumer<Jdbi>> jdbiCustomizer(String database) {
        return Optional.ofNullable(jdbiCustomizers.get(database));
    }

    /**
     * Builds the operations of one database over its primary: over {@code directUrl} when the
     * database is behind a transaction-mode pooler, as the session-level migration lock needs.
     *
     * @param password answers the password at each connect (the primary pool's, which a
     *     credential rotation replaces)
     */
    Operations newOperations(DatabaseConfig db, Optional<Catalogue> catalogue, Supplier<String> password) {
        Operations.Builder b = Operations.builder()
                .jdbcUrl(db.operationsUrl())
                .user(db.user().orElse(null))
                .password(password)
                .connection(db.operationsConnection())
                .targetSchema(db.connection().currentSchema())
                .migrationLockTimeout(db.migrate().lockWait())
                .healthReport(() -> {
                    HealthMonitor h = health;
                    return h == null ? "DOWN\nhealth monitor not running" : h.runNow().toText();
                })
                .environment(config.environment())
                .settings(config.ops())
                .clock(clock)
                .agent(config.name())
                .instance(config.instance())
                .database(db.name())
                .classLoader(classLoader());
        catalogue.ifPresent(b::catalogue);
        return b.build();
    }

    @Override
    public String toString() {
        return "DatabaseAgent[" + name() + ", " + environment().key() + ", running=" + running + "]";
    }

    private static List<String> concat(Set<String> a, Set<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Configures a {@link DatabaseAgent}. Not thread-safe. */
    public static final class Builder {
        private final AgentConfig config;
        private Clock clock = Clock.systemUTC();
        private MBeanServer mbeanServer;
        private MetricRegistry metrics;
        private final Map<String, Catalogue> catalogues = new LinkedHashMap<>();
        private final Map<String, Consumer<Jdbi>> jdbiCustomizers = new LinkedHashMap<>();

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

        /**
         * Gives a database its schema: changelog, reference-data contexts and the DAOs that
         * {@code verify} prepares. Wins over the database's {@code migrate.*} and {@code verify.*} keys.
         *
         * @param database a configured database name
         * @param catalogue its catalogue
         * @return this builder
         */
        public Builder catalogue(String database, Catalogue catalogue) {
            catalogues.put(Objects.requireNonNull(database, "database"), Objects.requireNonNull(catalogue, "catalogue"));
            return this;
        }

        /**
         * Customises a database's Jdbi once, before first use: install plugins, register row
         * mappers, argument factories or codecs. The agent has already installed the SqlObject
         * and PostgreSQL plugins.
         *
         * @param database a configured database name
         * @param customizer called once with that database's Jdbi
         * @return this builder
         */
        public Builder jdbi(String database, Consumer<Jdbi> customizer) {
            jdbiCustomizers.put(Objects.requireNonNull(database, "database"),
                    Objects.requireNonNull(customizer, "customizer"));
            return this;
        }

        /** @return a new, not yet started agent */
        public DatabaseAgent build() {
            for (String db : concat(catalogues.keySet(), jdbiCustomizers.keySet())) {
                if (config.database(db).isEmpty()) {
                    throw new IllegalArgumentException("no database '" + db + "' is configured; known: "
                            + config.databases().stream().map(DatabaseConfig::name).toList());
                }
            }
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
