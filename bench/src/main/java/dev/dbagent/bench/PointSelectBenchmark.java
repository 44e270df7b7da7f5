package dev.dbagent.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
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
 * pgbench -S's point select (primary key, 100,000 rows) through each data layer, against one
 * server. Run with {@code -t 1} and {@code -t 8}; {@link Table} runs them interleaved with pgbench
 * and prints the ratios.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class PointSelectBenchmark {
    private Variants v;

    @Setup
    public void setUp() {
        v = new Variants();
    }

    @TearDown
    public void tearDown() {
        v.close();
    }

    private static int select(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BenchDb.SELECT)) {
            ps.setInt(1, Variants.aid());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The yardstick: HikariCP 7 and plain JDBC. */
    @Benchmark
    public int hikariPlainJdbc() throws SQLException {
        try (Connection c = v.hikari.getConnection()) {
            return select(c);
        }
    }

    /** What a team would build itself: HikariCP and Jdbi with default settings. */
    @Benchmark
    public int hikariRawJdbi() {
        return v.hikariJdbi.withHandle(h -> h.createQuery(BenchDb.SELECT).bind(0, Variants.aid()).mapTo(int.class).one());
    }

    /** The agent's pool (breaker, borrow tracking, DBCP2) with plain JDBC. */
    @Benchmark
    public int dbagentPoolPlainJdbc() throws SQLException {
        try (Connection c = v.pool.acquire()) {
            return select(c);
        }
    }

    /** The agent's pool with raw Jdbi. */
    @Benchmark
    public int dbagentPoolRawJdbi() {
        return v.poolJdbi.withHandle(h -> h.createQuery(BenchDb.SELECT).bind(0, Variants.aid()).mapTo(int.class).one());
    }

    /** {@code DatabaseService.read} with a handle. */
    @Benchmark
    public int serviceRead() {
        return v.service.read(h -> h.createQuery(BenchDb.SELECT).bind(0, Variants.aid()).mapTo(int.class).one());
    }

    /** {@code DatabaseService.read} with a SqlObject DAO: the target. */
    @Benchmark
    public int serviceReadDao() {
        return v.service.read(Accounts.class, a -> a.balance(Variants.aid()));
    }
}
