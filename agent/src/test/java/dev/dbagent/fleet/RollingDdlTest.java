package dev.dbagent.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.DatabaseAgent;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.OpsSettings;
import dev.dbagent.config.Secret;
import dev.dbagent.ops.OperationResult;
import dev.dbagent.ops.Operations;
import dev.dbagent.service.DatabaseService;
import dev.dbagent.service.TxOptions;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanServerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13.6: instance A serves prepared point selects while instance B (a newer version)
 * migrates a changeset that adds a column to the table A reads. The server rejects A's
 * server-side prepared statements once ("cached plan must not change result type", 0A000);
 * A's callers must never see it.
 */
@ExtendWith(PostgresExtension.class)
class RollingDdlTest {

    @Test
    void pointSelectsOfOneInstanceSurviveAnotherInstancesMigration(TestDatabase db) throws Exception {
        AgentConfig config = AgentConfig.builder().name("shop").environment(Environment.TEST)
                .set("dbagent.instance", "a-1")
                .database("main", d -> d.url(db.jdbcUrl()).user(db.user()).password(Secret.of(db.password()))
                        .set("currentSchema", "ddl").set("pool.maxTotal", 2)
                        // as in staging and production: pgJDBC keeps server-side prepared statements
                        .set("pool.statementCacheSize", 50).migrateOnStart(true))
                .build();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicLong served = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean sawNewColumn = new AtomicBoolean();
        try (DatabaseAgent a = DatabaseAgent.builder(config).catalogue("main", FleetHealthTest.V1)
                .mbeanServer(MBeanServerFactory.newMBeanServer()).start()) {
            DatabaseService service = a.service("main");
            List<Thread> readers = List.of(
                    // autocommit reads, and reads inside a transaction (where pgJDBC cannot re-prepare by itself)
                    reader(stop, failures, served, sawNewColumn, id -> service.read(h -> h
                            .createQuery("SELECT * FROM items WHERE id = :id").bind("id", id).mapToMap().one())),
                    reader(stop, failures, served, sawNewColumn, id -> service.transaction(
                            TxOptions.DEFAULT.withTimeout(Duration.ofSeconds(30)), h -> h
                            .createQuery("SELECT * FROM items WHERE id = :id").bind("id", id).mapToMap().one())));
            readers.forEach(Thread::start);
            // well past pgJDBC's prepareThreshold (5) on every pooled connection: statements are server-side prepared
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> served.get() >= 200);

            Operations b = Operations.builder().jdbcUrl(db.jdbcUrl()).user(db.user()).password(db.password())
                    .targetSchema("ddl").catalogue(FleetHealthTest.V2).environment(Environment.TEST)
                    .settings(new OpsSettings(true, Duration.ofSeconds(60))).agent("shop").instance("b-1").build();
            OperationResult migrated = b.migrate();
            assertThat(migrated.success()).as(migrated.toText()).isTrue();
            assertThat(migrated.summary()).isEqualTo("1 changeset applied");

            long afterMigration = served.get();
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> sawNewColumn.get() && served.get() >= afterMigration + 200);
            stop.set(true);
            for (Thread t : readers) {
                t.join(30_000);
            }
            assertThat(failures).as("failures seen by A's callers").isEmpty();
            assertThat(service.retryCount()).as("transparent retries").isLessThanOrEqualTo(2);
        }
    }

    interface PointSelect {
        Map<String, Object> select(long id) throws Exception;
    }

    private static Thread reader(AtomicBoolean stop, List<Throwable> failures, AtomicLong served,
            AtomicBoolean sawNewColumn, PointSelect select) {
        Thread t = new Thread(() -> {
            long i = 0;
            while (!stop.get()) {
                long id = 1 + (i++ % 100);
                try {
                    Map<String, Object> row = select.select(id);
                    assertThat(row.get("id")).isEqualTo(id);
                    if (row.containsKey("price_cents")) {
                        sawNewColumn.set(true);
                    }
                    served.incrementAndGet();
                } catch (Throwable e) {
                    failures.add(e);
                }
            }
        }, "reader");
        t.setDaemon(true);
        return t;
    }
}
