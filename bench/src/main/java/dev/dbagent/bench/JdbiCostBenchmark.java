package dev.dbagent.bench;

import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where Jdbi's per-call cost sits, on HikariCP: a handle per call (what {@code withHandle} does)
 * versus one handle kept for the thread's connection, with a query or a SqlObject DAO. Run with
 * {@code -prof gc}: allocation per call is the noise-free measure on a shared machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class JdbiCostBenchmark {
    /** The server and pools, shared by the threads. */
    @State(Scope.Benchmark)
    public static class Shared {
        Variants v;

        @Setup
        public void setUp() {
            v = new Variants();
        }

        @TearDown
        public void tearDown() {
            v.close();
        }
    }

    private Handle kept;
    private Accounts keptDao;

    @Setup(Level.Trial)
    public void open(Shared s) {
        kept = s.v.hikariJdbi.open();
        keptDao = kept.attach(Accounts.class);
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            kept.close();
        } catch (RuntimeException ignored) {
            // the shared pools may be closed first
        }
    }

    @Benchmark
    public int handlePerCallQuery(Shared s) {
        return s.v.hikariJdbi.withHandle(h -> h.createQuery(BenchDb.SELECT).bind(0, Variants.aid()).mapTo(int.class).one());
    }

    @Benchmark
    public int handlePerCallDao(Shared s) {
        return s.v.hikariJdbi.withHandle(h -> h.attach(Accounts.class).balance(Variants.aid()));
    }

    @Benchmark
    public int keptHandleQuery() {
        return kept.createQuery(BenchDb.SELECT).bind(0, Variants.aid()).mapTo(int.class).one();
    }

    @Benchmark
    public int keptHandleAttachPerCall() {
        return kept.attach(Accounts.class).balance(Variants.aid());
    }

    @Benchmark
    public int keptHandleKeptDao() {
        return keptDao.balance(Variants.aid());
    }

    /** The service around a callback that runs no statement: what the service itself adds. */
    @Benchmark
    public int serviceNoStatement(Shared s) {
        return s.v.service.read(h -> 1);
    }

    /** A borrow and return from the agent's pool, nothing else. */
    @Benchmark
    public boolean agentPoolBorrowOnly(Shared s) throws java.sql.SQLException {
        try (java.sql.Connection c = s.v.pool.acquire()) {
            return c.getAutoCommit();
        }
    }

    /** A borrow and return from HikariCP, nothing else. */
    @Benchmark
    public boolean hikariBorrowOnly(Shared s) throws java.sql.SQLException {
        try (java.sql.Connection c = s.v.hikari.getConnection()) {
            return c.getAutoCommit();
        }
    }
}
