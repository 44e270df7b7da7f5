package dev.dbagent;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.health.CheckResult;
import dev.dbagent.health.HealthCheck;
import dev.dbagent.health.HealthChecks;
import dev.dbagent.health.HealthMonitor;
import dev.dbagent.health.HealthStatus;
import dev.dbagent.health.Issue;
import dev.dbagent.internal.http.HealthGauges;
import dev.dbagent.internal.http.ManagementHttpServer;
import dev.dbagent.internal.jmx.AgentManagement;
import dev.dbagent.internal.jmx.remote.JolokiaServer;
import dev.dbagent.internal.jmx.remote.RemoteJmxServer;
import dev.dbagent.ops.Operations;
import dev.dbagent.internal.pool.ConnectionManager;
import dev.dbagent.internal.pool.DatabaseRouter;
import dev.dbagent.Intent;
import dev.dbagent.internal.pool.ManagedPool;
import dev.dbagent.service.DatabaseService;
import dev.dbagent.service.ServiceSettings;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The start sequence of a {@link DatabaseAgent}; each step registers its own undo. */
final class Parts {
    private Parts() {}

    static void start(DatabaseAgent agent) {
        AgentConfig config = agent.config();

        ConnectionManager connections = new ConnectionManager(config.databases(), agent.clock(), config.name(), config.name(),
                config.instance());
        agent.onStop(connections::close);
        agent.connections(connections);

        registerPoolMetrics(agent, connections);

        for (DatabaseConfig db : config.databases()) {
            DatabaseService.Builder sb = DatabaseService.builder(connections.router(db.name()))
                    .agentName(config.name())
                    .metrics(agent.metrics())
                    .clock(agent.clock())
                    .settings(serviceSettings(db));
            agent.jdbiCustomizer(db.name()).ifPresent(sb::configureJdbi);
            DatabaseService service = sb.build();
            agent.onStop(service::close);
            Optional<Catalogue> catalogue = agent.catalogue(db);
            // operations log in with the primary pool's password, so a rotation reaches them too
            ManagedPool primary = connections.router(db.name()).primary();
            Operations ops = agent.newOperations(db, catalogue, () -> primary.factory().password());
            agent.units().put(db.name(), new DatabaseUnit(db, connections.router(db.name()), service, catalogue, ops));
        }
        for (DatabaseUnit unit : agent.units().values()) {
            if (unit.config().migrate().onStart() && unit.catalogue().isPresent()) {
                unit.operations().migrateOnStart(); // throws when the migration fails
            }
        }

        HealthMonitor health = new HealthMonitor(config.name(), checks(agent), agent.clock(), null);
        agent.onStop(health::close);
        agent.health(health);
        health.start(config.health().interval());
        agent.onStop(HealthGauges.register(agent.metrics(), config.name(), health));

        List<ManagedPool> pools = new ArrayList<>();
        Map<String, DatabaseService> services = new LinkedHashMap<>();
        Map<String, Operations> operations = new LinkedHashMap<>();
        for (DatabaseUnit unit : agent.units().values()) {
            pools.addAll(unit.router().pools());
            services.put(unit.name(), unit.service());
            operations.put(unit.name(), unit.operations());
        }
        AgentManagement mbeans = AgentManagement.register(agent.mbeanServer(), config.name(), config.instance(),
                config.environment().key(), agent.startedAt(), agent.clock(), pools, services, health, operations,
                agent.metrics());
        agent.onStop(mbeans::close);

        if (config.jmxRemote().enabled()) {
            RemoteJmxServer jmx = RemoteJmxServer.start(agent.mbeanServer(), config.jmxRemote(), config.environment());
            agent.onStop(jmx::close);
            agent.remoteJmx(jmx);
        }
        if (config.jolokia().enabled()) {
            // without a user of its own, Jolokia shares the monitor/operator users of remote JMX
            JolokiaServer jolokia = JolokiaServer.start(config.jolokia(), config.jmxRemote(), config.environment());
            agent.onStop(jolokia::close);
            agent.jolokia(jolokia);
        }
        if (config.http().enabled()) {
            ManagementHttpServer http = ManagementHttpServer.start(config.http(), config.name(),
                    // not agent::isRunning: it waits for the agent's lock, which stop() holds while closing this server
                    () -> agent.healthOrNull() != null,
                    agent::healthOrNull, config.health().interval(), agent.clock(), agent.startedAt(), agent.metrics());
            agent.onStop(http::close);
            agent.http(http);
        }
    }

    /**
     * Pool gauges and the borrow-wait histogram, {@code dbagent.<agent>.<db>.pool.<role>.*}:
     * active, idle, waiting, total, max, breakerState (the Resilience4j state order: 0 closed,
     * 1 open, 2 half-open, ...) and borrowWaitMicros.
     */
    private static void registerPoolMetrics(DatabaseAgent agent, ConnectionManager connections) {
        MetricRegistry registry = agent.metrics();
        List<String> names = new ArrayList<>();
        for (DatabaseRouter router : connections.routers()) {
            for (ManagedPool pool : router.pools()) {
                String p = "dbagent." + agent.name() + "." + router.database() + ".pool." + pool.role() + ".";
                Map<String, Metric> metrics = Map.of(
                        p + "active", (Gauge<Integer>) pool::active,
                        p + "idle", (Gauge<Integer>) pool::idle,
                        p + "waiting", (Gauge<Integer>) pool::waiting,
                        p + "total", (Gauge<Integer>) pool::total,
                        p + "max", (Gauge<Integer>) pool::maxTotal,
                        p + "breakerState", (Gauge<Integer>) () -> pool.breaker().getState().getOrder(),
                        p + "borrowWaitMicros", pool.borrowWaitMicros());
                metrics.forEach((name, metric) -> {
                    registry.register(name, metric);
                    names.add(name);
                });
            }
        }
        agent.onStop(() -> names.forEach(registry::remove));
    }

    static ServiceSettings serviceSettings(DatabaseConfig db) {
        return new ServiceSettings(db.slowQueryThreshold(), db.slowQueryBuffer(), db.retry(), db.serviceBreaker());
    }

    /** Every check of the agent, per database: its pools, replicas, breakers, sessions and migrations. */
    static List<HealthCheck> checks(DatabaseAgent agent) {
        AgentConfig config = agent.config();
        List<HealthCheck> checks = new ArrayList<>();
        Duration timeout = Duration.ofSeconds(5);
        for (DatabaseUnit unit : agent.units().values()) {
            DatabaseRouter router = unit.router();
            String db = unit.name();
            for (ManagedPool pool : router.pools()) {
                checks.add(HealthChecks.roundTrip(db + "." + pool.role() + ".roundTrip", pool,
                        pool == router.primary() ? Intent.WRITE : Intent.READ, timeout));
                checks.add(saturation(db + "." + pool.role() + ".saturation", pool, config.health().saturationPercent()));
            }
            if (!router.replicas().isEmpty()) {
                checks.add(replicaLag(db + ".replicaLag", router, unit.config().replicaRouting().maxLag()));
            }
            List<CircuitBreaker> breakers = new ArrayList<>();
            router.pools().forEach(p -> breakers.add(p.breaker()));
            breakers.add(unit.service().circuitBreaker());
            checks.add(HealthChecks.breakers(db + ".breakers", List.copyOf(breakers)));
            checks.add(HealthChecks.sessions(db + ".sessions", router, config.health().longTransaction(),
                    config.health().idleInTransaction(),
                    dev.dbagent.internal.pool.ApplicationNames.instancePrefix(config.name(), config.instance())));
            // behind a transaction-mode pooler the pool's connections end at the pooler, whose own
            // pool_size bounds what reaches the server; only operations connect to it directly
            boolean pooled = unit.config().connection().pooler() == dev.dbagent.config.Pooler.TRANSACTION;
            checks.add(HealthChecks.connectionBudget(db + ".connectionBudget", router, config.name(),
                    (pooled ? 0 : unit.config().pool().maxTotal()) + HealthChecks.OPS_CONNECTIONS_PER_INSTANCE,
                    config.fleet().expectedInstances()));
            if (unit.catalogue().isPresent()) {
                checks.add(migrations(db + ".migrations", db, router, unit.operations()));
            }
        }
        return checks;
    }

    private static HealthCheck saturation(String name, ManagedPool pool, int thresholdPercent) {
        return HealthChecks.of(name, () -> {
            // the checks running next to this one borrow from the same pool: they are not the
            // application's load, and counting them made a small idle pool look saturated
            int active = Math.max(0, pool.active() - pool.borrowedByThreadsStartingWith(HealthMonitor.CHECK_THREAD_PREFIX));
            int waiting = pool.waiting();
            int percent = pool.maxTotal() == 0 ? 0 : active * 100 / pool.maxTotal();
            String msg = String.format(Locale.ROOT, "%d of %d connections in use (%d%%), %d waiting", active,
                    pool.maxTotal(), percent, waiting);
            if (percent >= thresholdPercent || waiting > 0) {
                return CheckResult.degraded(msg, List.of(new Issue(Issue.Severity.WARNING, name,
                        pool.database() + " (" + pool.role() + ") pool saturated: " + msg)));
            }
            return CheckResult.up(msg);
        });
    }

    private static HealthCheck replicaLag(String name, DatabaseRouter router, Duration maxLag) {
        return HealthChecks.of(name, () -> {
            List<Issue> issues = new ArrayList<>();
            StringBuilder msg = new StringBuilder();
            for (DatabaseRouter.ReplicaStatus replica : router.replicaStatuses()) {
                long lag = replica.lagMillis();
                String why = switch (replica.state()) {
                    case UNCHECKED -> "not checked yet";
                    case UNREACHABLE -> "unreachable";
                    case PROMOTED -> "promoted (not in recovery): no longer a replica of this primary";
                    case REPLAY_PAUSED -> "replay paused with " + replica.unreplayedBytes() + " bytes of WAL not replayed";
                    case REPLAY_STALLED -> "replay stalled with " + replica.unreplayedBytes() + " bytes of WAL not replayed";
                    case LAGGING -> "lagging " + lag + " ms (bound " + maxLag.toMillis() + " ms)";
                    case REPLAYING -> null;
                };
                msg.append(replica.role()).append('=').append(why == null ? lag + " ms"
                        : replica.state().name().toLowerCase(Locale.ROOT)).append(' ');
                if (why != null && replica.state() != DatabaseRouter.ReplicaState.UNCHECKED) {
                    issues.add(new Issue(Issue.Severity.WARNING, name, router.database() + " " + replica.role()
                            + ": " + why + "; reads go elsewhere"));
                }
            }
            return issues.isEmpty() ? CheckResult.up(msg.toString().trim())
                    : CheckResult.degraded(msg.toString().trim(), issues);
        });
    }

    /**
     * Pending changesets (this version's changelog has some the database lacks) are DEGRADED;
     * changesets the database has and this version does not know are "ahead" - a newer version
     * migrated during a rolling deploy - and only INFO. Probes on a pooled primary connection.
     */
    private static HealthCheck migrations(String name, String db, DatabaseRouter router, Operations ops) {
        return HealthChecks.of(name, () -> {
            Operations.MigrationProbe p;
            try (dev.dbagent.internal.pool.RoutedConnection rc = router.acquire(Intent.WRITE)) {
                p = ops.probeMigrations(rc.connection());
            } catch (java.sql.SQLException | RuntimeException e) {
                return CheckResult.down("cannot read the migration state: " + e.getClass().getSimpleName() + ": "
                        + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), List.of());
            }
            if (!p.reachable()) {
                String what = "cannot read the migration state: " + p.error();
                return CheckResult.down(what, List.of());
            }
            List<Issue> issues = new ArrayList<>();
            boolean degraded = false;
            if (p.staleLock()) {
                degraded = true;
                issues.add(new Issue(Issue.Severity.WARNING, name, db + ": stale migration lock: " + p.liquibaseLock().orElse("")
                        + " but no live migrator holds the lock; run 'dbctl --db " + db + " release-lock'"));
            }
            if (!p.everMigrated()) {
                degraded = true;
                issues.add(new Issue(Issue.Severity.WARNING, name, db + ": never migrated by dbagent; run 'dbctl --db "
                        + db + " init'"));
            } else if (!p.pending().isEmpty()) {
                degraded = true;
                issues.add(new Issue(Issue.Severity.WARNING, name, db + ": " + p.pending().size()
                        + " changeset(s) pending, first " + p.pending().get(0) + "; run 'dbctl --db " + db + " migrate'"));
            }
            if (!p.ahead().isEmpty()) {
                issues.add(new Issue(Issue.Severity.INFO, name, db + ": database is ahead of this version by "
                        + p.ahead().size() + " changeset(s), first " + p.ahead().get(0)
                        + " (a newer version migrated it; expected during a rolling deploy)"));
            }
            String msg = (!p.everMigrated() ? "never migrated" : !p.pending().isEmpty() ? "pending " + p.pending().size()
                    : "up to date") + (p.ahead().isEmpty() ? "" : ", ahead " + p.ahead().size())
                    + (p.lockHolders().isEmpty() ? "" : ", migrating now: " + String.join("; ", p.lockHolders()));
            return degraded ? CheckResult.degraded(msg, issues) : new CheckResult(HealthStatus.UP, Duration.ZERO, msg, issues);
        });
    }


}
