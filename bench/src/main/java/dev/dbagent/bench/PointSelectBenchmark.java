package dev.dbagent.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.dbagent.testing.EmbeddedPostgres;
import dev.dbagent.internal.pool.ConnectionManager;
import dev.dbagent.internal.pool.ManagedPool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import com.codahale.metrics.MetricRegistry;
import dev.dbagent.service.DatabaseService;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A primary-key select: raw Jdbi on dbagent's DBCP2 pool, and HikariCP with plain JDBC, on the
 * same embedded server. Run with {@code -t 1} and {@code -t 8}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PointSelectBenchmark {
    static final String SQL = "SELECT name FROM items WHERE id = ?";
    EmbeddedPostgres pg;
    ConnectionManager manager;
    ManagedPool pool;
    Jdbi rawJdbi;
    HikariDataSource hikari;
    DatabaseService service;

    @Setup
    public void setUp() {
        pg = BenchDb.start();
        manager = new ConnectionManager(List.of(BenchDb.config(pg.jdbcUrl("postgres"), pg.user(), pg.password(), 8)),
                Clock.systemUTC(), "bench");
        pool = manager.router("main").primary();
        // the same plugins the service's Jdbi has, so the comparison is the wrapper alone
        rawJdbi = Jdbi.create(pool::acquire).installPlugin(new SqlObjectPlugin()).installPlugin(new PostgresPlugin());
        service = DatabaseService.builder(manager.router("main")).agentName("bench")
                .metrics(new MetricRegistry()).build();
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(pg.jdbcUrl("postgres"));
        hc.setUsername(pg.user());
        hc.setPassword(pg.password());
        hc.setMaximumPoolSize(8);
        hc.setMinimumIdle(8);
        hikari = new HikariDataSource(hc);
    }

    @TearDown
    public void tearDown() {
        service.close();
        hikari.close();
        manager.close();
        pg.close();
    }

    static int id() {
        return ThreadLocalRandom.current().nextInt(1, 10_001);
    }

    @Benchmark
    public String rawJdbiOnDbagentPool() {
        return rawJdbi.withHandle(h -> h.createQuery(SQL).bind(0, id()).mapTo(String.class).one());
    }

    @Benchmark
    public String dbagentService() {
        return service.read(h -> h.createQuery(SQL).bind(0, id()).mapTo(String.class).one());
    }

    @Benchmark
    public Integer rawJdbiNoOp() {
        return rawJdbi.withHandle(h -> 1);
    }

    @Benchmark
    public Integer dbagentServiceNoOp() {
        return service.read(h -> 1);
    }

    @Benchmark
    public String hikariPlainJdbc() throws SQLException {
        try (Connection c = hikari.getConnection(); PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setInt(1, id());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
