package dev.dbagent.internal.pool;

import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.config.ReplicaConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Owns every pool of an agent: one per primary and per replica of each configured database, each
 * behind its own circuit breaker, and a background check of replica reachability, replay and lag,
 * and of whether each primary pool's server is still a primary.
 *
 * <p>Thread-safe. {@link #close()} stops the checks and closes every pool; it is idempotent.
 */
public final class ConnectionManager implements AutoCloseable {
    private final Map<String, DatabaseRouter> routers = new LinkedHashMap<>();
    private final ScheduledExecutorService scheduler;
    private volatile boolean closed;

    /**
     * Creates the pools and starts the replica checks. Connections are opened up to
     * {@code minIdle}; a server that is down at start does not fail this (health reports it).
     *
     * @param databases validated database configurations
     * @param clock the clock breakers use for their open-state wait
     * @param threadPrefix prefix of the check thread's name, e.g. the agent name
     */
    public ConnectionManager(List<DatabaseConfig> databases, Clock clock, String threadPrefix) {
        this(databases, clock, threadPrefix, null, null);
    }

    /**
     * As {@link #ConnectionManager(List, Clock, String)}, for the pools of one agent instance:
     * their connections' {@code application_name} is {@code dbagent/<agent>/<instance>/<db>/<role>}.
     *
     * @param databases validated database configurations
     * @param clock the clock breakers use for their open-state wait
     * @param threadPrefix prefix of the check thread's name, e.g. the agent name
     * @param agent the agent name, or null for the short form {@code dbagent/<db>/<role>}
     * @param instance the instance id; null exactly when {@code agent} is
     */
    public ConnectionManager(List<DatabaseConfig> databases, Clock clock, String threadPrefix, String agent,
            String instance) {
        List<ManagedPool> created = new ArrayList<>();
        try {
            for (DatabaseConfig db : databases) {
                ManagedPool primary = new ManagedPool("primary", identify(ConnectionFactory.primary(db), agent, instance), db.pool(),
                        db.poolBreaker(), clock);
                created.add(primary);
                List<ManagedPool> replicas = new ArrayList<>();
                for (ReplicaConfig r : db.replicas()) {
                    ManagedPool rp = new ManagedPool(r.role(), identify(ConnectionFactory.replica(db, r), agent, instance), db.pool(),
                            db.poolBreaker(), clock);
                    created.add(rp);
                    replicas.add(rp);
                }
                routers.put(db.name(), new DatabaseRouter(db.name(), primary, replicas, db.replicaRouting()));
            }
        } catch (RuntimeException e) {
            created.forEach(ManagedPool::close);
            throw e;
        }
        created.forEach(ManagedPool::warmUp);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadPrefix + "-replica-check");
            t.setDaemon(true);
            return t;
        });
        for (DatabaseConfig db : databases) {
            DatabaseRouter router = routers.get(db.name());
            long every = 1_000;
            if (!db.replicas().isEmpty()) {
                router.checkReplicas();
                every = Math.max(100, Math.min(1_000, db.replicaRouting().maxLag().toMillis() / 2));
            }
            // also without replicas: the check finds a primary pool left on a standby after a failover
            scheduler.scheduleWithFixedDelay(router::checkReplicas, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * @param database a configured database name
     * @return its router (a {@link ConnectionProvider})
     * @throws NoSuchElementException if no such database is configured
     */
    public DatabaseRouter router(String database) {
        DatabaseRouter r = routers.get(database);
        if (r == null) {
            throw new NoSuchElementException("no database '" + database + "' configured; known: " + routers.keySet());
        }
        return r;
    }

    /** @return every router, in configuration order */
    public List<DatabaseRouter> routers() {
        return List.copyOf(routers.values());
    }

    /**
     * Runs the replica and primary checks now (normally every half lag bound, at most each second;
     * each second for a database without replicas).
     */
    public void checkReplicasNow() {
        routers.values().forEach(DatabaseRouter::checkReplicas);
    }

    private static ConnectionFactory identify(ConnectionFactory f, String agent, String instance) {
        return agent == null ? f : f.withIdentity(agent, instance);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        routers.values().forEach(r -> r.pools().forEach(ManagedPool::close));
    }

}
