package dev.dbagent.bench;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.dbagent.config.DatabaseConfig;
import dev.dbagent.internal.pool.ConnectionManager;
import dev.dbagent.internal.pool.ManagedPool;
import dev.dbagent.service.DatabaseService;
import dev.dbagent.service.ServiceSettings;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * Everything a variant runs on, made once per fork against one server: HikariCP 7 with the same
 * pool size, the agent's pool and service with production defaults, and raw Jdbi on either pool
 * with the plugins the service's Jdbi has (what a team would build itself).
 */
final class Variants implements AutoCloseable {
    static final int POOL_SIZE = 8;

    final BenchDb db;
    final HikariDataSource hikari;
    final ConnectionManager manager;
    final ManagedPool pool;
    final DatabaseService service;
    final Jdbi hikariJdbi;
    final Jdbi poolJdbi;

    Variants() {
        db = BenchDb.open();
        DatabaseConfig config = db.config(POOL_SIZE);
        manager = new ConnectionManager(List.of(config), Clock.systemUTC(), "bench");
        pool = manager.router("main").primary();
        // the agent's own wiring (Parts): settings from the production configuration, metrics and
        // slow-call capture on
        service = DatabaseService.builder(manager.router("main")).agentName("bench")
                .settings(new ServiceSettings(config.slowQueryThreshold(), config.slowQueryBuffer(), config.retry(),
                        config.serviceBreaker()))
                .metrics(new MetricRegistry()).build();
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(db.jdbcUrl());
        hc.setUsername(db.user);
        hc.setPassword(db.password);
        hc.setMaximumPoolSize(POOL_SIZE);
        hc.setMinimumIdle(POOL_SIZE);
        hikari = new HikariDataSource(hc);
        hikariJdbi = Jdbi.create(hikari).installPlugin(new SqlObjectPlugin()).installPlugin(new PostgresPlugin());
        poolJdbi = Jdbi.create(pool::acquire).installPlugin(new SqlObjectPlugin()).installPlugin(new PostgresPlugin());
    }

    static int aid() {
        return ThreadLocalRandom.current().nextInt(1, BenchDb.ROWS + 1);
    }

    @Override
    public void close() {
        service.close();
        hikari.close();
        manager.close();
        db.close();
    }
}
