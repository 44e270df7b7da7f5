package dev.dbagent.bench;

import dev.dbagent.testing.EmbeddedPostgres;
import dev.dbagent.ops.OperationResult;
import dev.dbagent.Catalogue;
import dev.dbagent.ops.Operations;
import dev.dbagent.schema.DomainSchema;
import dev.dbagent.config.Environment;
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
 * Migrate-on-start against an up-to-date database: the fast path (changelog digest compared with
 * the stored one, Liquibase not started) versus a full Liquibase {@code migrate} that finds
 * nothing to do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class MigrateOnStartBenchmark {
    private EmbeddedPostgres pg;
    private Operations ops;

    @Setup
    public void setUp() {
        pg = EmbeddedPostgres.builder().start();
        pg.createDatabase("civic");
        ops = Operations.builder().jdbcUrl(pg.jdbcUrl("civic")).user(pg.user()).password(pg.password())
                .targetSchema(DomainSchema.DEFAULT_SCHEMA)
                .catalogue(Catalogue.of(DomainSchema.MASTER_CHANGELOG)
                        .withReferenceContexts(DomainSchema.REFERENCE_CONTEXT).withDaos(DomainSchema.daoClasses()))
                .environment(Environment.TEST).build();
        OperationResult first = ops.migrate();
        if (!first.success()) {
            throw new IllegalStateException(first.toText());
        }
    }

    @TearDown
    public void tearDown() {
        pg.close();
    }

    @Benchmark
    public OperationResult migrateOnStartUpToDate() {
        return ops.migrateOnStart();
    }

    @Benchmark
    public OperationResult fullLiquibaseMigrateUpToDate() {
        return ops.migrate();
    }
}
