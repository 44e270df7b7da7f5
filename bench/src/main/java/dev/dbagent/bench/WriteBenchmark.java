package dev.dbagent.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
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
 * A single-row insert in its own transaction: through {@code DatabaseService.write}, and through
 * HikariCP with plain JDBC with the same guarantee (the transaction id read before COMMIT, as the
 * service needs it to resolve a COMMIT cut off by a lost connection), as a plain two-round-trip
 * transaction, and as one autocommit statement.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class WriteBenchmark {
    private Variants v;

    @Setup
    public void setUp() {
        v = new Variants();
    }

    @TearDown
    public void tearDown() {
        v.close();
    }

    private static void insert(Connection c) throws SQLException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        try (PreparedStatement ps = c.prepareStatement(BenchDb.INSERT)) {
            ps.setInt(1, r.nextInt(1, 11));
            ps.setInt(2, Variants.aid());
            ps.setInt(3, r.nextInt(-5000, 5001));
            ps.executeUpdate();
        }
    }

    /** The yardstick with the service's guarantee: insert, read the transaction id, COMMIT (3 round trips). */
    @Benchmark
    public String hikariTxWithTxid() throws SQLException {
        try (Connection c = v.hikari.getConnection()) {
            c.setAutoCommit(false);
            try {
                insert(c);
                String txid;
                try (PreparedStatement st = c.prepareStatement("SELECT pg_current_xact_id_if_assigned()::text");
                     ResultSet rs = st.executeQuery()) {
                    rs.next();
                    txid = rs.getString(1);
                }
                c.commit();
                return txid;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The plain transaction: insert, COMMIT (2 round trips), no way to resolve a lost COMMIT. */
    @Benchmark
    public void hikariTxPlain() throws SQLException {
        try (Connection c = v.hikari.getConnection()) {
            c.setAutoCommit(false);
            try {
                insert(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** One autocommit insert (1 round trip). */
    @Benchmark
    public void hikariAutocommit() throws SQLException {
        try (Connection c = v.hikari.getConnection()) {
            insert(c);
        }
    }

    /** {@code DatabaseService.write} with a SqlObject DAO. */
    @Benchmark
    public int serviceWriteDao() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return v.service.write(Accounts.class, a -> a.record(r.nextInt(1, 11), Variants.aid(), r.nextInt(-5000, 5001)));
    }
}
