package dev.dbagent.bench;

import dev.dbagent.BreakerOpenException;
import dev.dbagent.internal.pool.ConnectionManager;
import dev.dbagent.internal.pool.ManagedPool;
import java.sql.Connection;
import java.time.Clock;
import java.util.List;
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
 * How long an open pool breaker takes to reject a call. No server is needed: an open breaker
 * must not touch the network, so the URL points at a closed port.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BreakerRejectionBenchmark {
    private ConnectionManager manager;
    private ManagedPool pool;

    @Setup
    public void setUp() {
        manager = new ConnectionManager(List.of(BenchDb.config("jdbc:postgresql://127.0.0.1:1/none", "u", "p", 1)),
                Clock.systemUTC(), "bench");
        pool = manager.router("main").primary();
        pool.breaker().transitionToForcedOpenState();
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public Object openBreakerRejects() throws Exception {
        try (Connection c = pool.acquire()) {
            throw new IllegalStateException("an open breaker let a call through: " + c);
        } catch (BreakerOpenException expected) {
            return expected;
        }
    }
}
