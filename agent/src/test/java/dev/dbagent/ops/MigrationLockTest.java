package dev.dbagent.ops;

import dev.dbagent.config.Environment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class MigrationLockTest {
    private static final String KILL = "dev/dbagent/ops/kill/master.xml";

    private static Operations ops(TestDatabase db, String schema, String changelog) {
        return Operations.builder().jdbcUrl(db.jdbcUrl()).user(db.user()).password(db.password())
                .targetSchema(schema).changelog(changelog).referenceContext("reference")
                .environment(Environment.TEST).build();
    }

    @Test
    void eightConcurrentMigratorsApplyEachChangesetExactlyOnce(TestDatabase db) throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<OperationResult>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Operations agent = ops(db, "conc", OperationsTest.SIMPLE_PLUS).as("agent-" + i);
                futures.add(pool.submit(() -> {
                    start.await();
                    return agent.migrate();
                }));
            }
            start.countDown();
            int applied = 0;
            for (Future<OperationResult> f : futures) {
                OperationResult r = f.get(120, TimeUnit.SECONDS);
                assertThat(r.success()).as(r.toText()).isTrue();
                applied += (int) r.steps().stream().filter(s -> s.detail().startsWith("EXECUTED ")).count();
            }
            assertThat(applied).isEqualTo(5);
        } finally {
            pool.shutdownNow();
        }
        assertThat(OperationsTest.count(db, "SELECT count(*) FROM conc.databasechangelog")).isEqualTo(5);
        assertThat(OperationsTest.strings(db, "SELECT id FROM conc.databasechangelog GROUP BY id, author, filename"
                + " HAVING count(*) > 1")).isEmpty();
        assertThat(OperationsTest.count(db, "SELECT count(*) FROM dbagent.audit_log WHERE operation = 'migrate'"
                + " AND success AND caller LIKE 'agent-%'")).isEqualTo(8);
    }

    @Test
    void aMigratorKilledMidChangesetDoesNotBlockTheNextOne(TestDatabase db) throws Exception {
        OperationsTest.exec(db, "CREATE TABLE public.kill_test_control (seconds int NOT NULL)");
        OperationsTest.exec(db, "INSERT INTO public.kill_test_control VALUES (600)");
        Path out = Files.createTempFile("killable-migrator", ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KillableMigrator.class.getName(), "victim", KILL)
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("DBAGENT_TEST_URL", db.jdbcUrl());
        pb.environment().put("DBAGENT_TEST_USER", db.user());
        pb.environment().put("DBAGENT_TEST_SECRET", db.password() == null ? "" : db.password());
        Process child = pb.start();
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .failFast("child exited early: " + out, () -> !child.isAlive())
                    .until(() -> OperationsTest.count(db, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                            + " AND application_name LIKE 'dbagent/%/migrate' AND query LIKE '%pg_sleep%'") == 1);
            try (java.sql.Connection c = db.dataSource().getConnection()) {
                assertThat(MigrationLock.holders(c, "victim")).singleElement()
                        .satisfies(h -> assertThat(h.applicationName()).startsWith("dbagent/").endsWith("/migration-lock"));
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        // What a dead migrator leaves: k1 applied and Liquibase's lock row still set.
        assertThat(OperationsTest.strings(db, "SELECT id FROM victim.databasechangelog")).containsExactly("k1-table");
        assertThat(OperationsTest.count(db, "SELECT count(*) FROM victim.databasechangeloglock WHERE locked")).isEqualTo(1);
        OperationsTest.exec(db, "UPDATE public.kill_test_control SET seconds = 0");

        OperationResult r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> ops(db, "victim", KILL).migrate());
        assertThat(r.success()).as(r.toText()).isTrue();
        assertThat(r.summary()).isEqualTo("2 changesets applied");
        assertThat(r.warnings()).singleElement().satisfies(w -> assertThat(w)
                .startsWith("cleared a stale Liquibase DATABASECHANGELOGLOCK held by "));
        assertThat(OperationsTest.strings(db, "SELECT id FROM victim.databasechangelog ORDER BY orderexecuted"))
                .containsExactly("k1-table", "k2-slow", "k3-after");
        // The killed migrator's backend does not sleep on: it notices its client is gone.
        await().atMost(Duration.ofSeconds(20)).until(() -> OperationsTest.count(db, "SELECT count(*) FROM pg_stat_activity"
                + " WHERE query LIKE '%pg_sleep((SELECT seconds%' AND pid <> pg_backend_pid()") == 0);
        new File(out.toString()).delete();
    }
}
