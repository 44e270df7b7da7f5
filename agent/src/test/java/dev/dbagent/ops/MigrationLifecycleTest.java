package dev.dbagent.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.Catalogue;
import dev.dbagent.InvalidResetTokenException;
import dev.dbagent.OperationRefusedException;
import dev.dbagent.config.Environment;
import dev.dbagent.config.OpsSettings;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Rollback, preview, changelog sync and checksum repair on real PostgreSQL, with progress reports. */
@ExtendWith(PostgresExtension.class)
class MigrationLifecycleTest {
    private static final Catalogue ORDERS = Catalogue.of("dev/dbagent/embedding/orders.xml");
    private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();

    private Operations ops(TestDatabase db, String schema, Catalogue catalogue, Environment env, OpsSettings settings) {
        return Operations.builder().jdbcUrl(db.jdbcUrl()).user(db.user()).password(db.password())
                .targetSchema(schema).catalogue(catalogue).environment(env).settings(settings)
                .auditListener(audit::add).build();
    }

    private Operations ops(TestDatabase db, String schema) {
        return ops(db, schema, ORDERS, Environment.DEVELOPMENT, new OpsSettings(true, Duration.ofSeconds(60)));
    }

    @Test
    void rollbackThenMigrateLeavesNoDriftAndReportsProgress(TestDatabase db) throws Exception {
        Operations ops = ops(db, "life");
        List<Progress> progress = new CopyOnWriteArrayList<>();
        ops.addProgressListener(progress::add);
        assertThat(ops.migrate().success()).isTrue();
        assertThat(progress).extracting(Progress::describe).containsExactly(
                "migrate: 1 of 4: 1-customers (shop)", "migrate: 2 of 4: 2-orders (shop)",
                "migrate: 3 of 4: 3-currencies (shop)", "migrate: 4 of 4: 4-currency-data (shop)");
        assertThat(ops.progress()).isEmpty();
        progress.clear();

        OperationResult rollback = ops.rollback(2, ops.prepareRollback().value());

        assertThat(rollback.success()).as(rollback.toText()).isTrue();
        assertThat(rollback.summary()).isEqualTo("2 changesets rolled back");
        assertThat(rollback.steps()).extracting(OperationResult.Step::detail)
                .filteredOn(d -> d.startsWith("ROLLED_BACK")).hasSize(2);
        assertThat(progress).extracting(Progress::describe).containsExactly(
                "rollback: 1 of 2: 4-currency-data (shop)", "rollback: 2 of 2: 3-currencies (shop)");
        assertThat(tables(db, "life")).contains("customers", "orders").doesNotContain("currencies");
        assertThat(ops.status().summary()).isEqualTo("2 applied, 2 pending");
        assertThat(ops.probeMigrations().upToDate()).isFalse();

        assertThat(ops.migrate().summary()).isEqualTo("2 changesets applied");
        OperationResult drift = ops.drift();
        assertThat(drift.success()).as(drift.toText()).isTrue();
        assertThat(ops.probeMigrations().upToDate()).isTrue();
        assertThat(audit).extracting(AuditEvent::operation).contains("prepare-rollback", "rollback");
        assertThat(audit).filteredOn(e -> e.operation().equals("rollback")).singleElement()
                .satisfies(e -> assertThat(e.arguments()).containsEntry("count", "2").containsEntry("token", "****"));
    }

    @Test
    void rollbackIsGuardedLikeResetAndARefusalChangesNothing(TestDatabase db) throws Exception {
        Operations dev = ops(db, "guarded");
        assertThat(dev.migrate().success()).isTrue();

        assertThatThrownBy(() -> dev.rollback(1, "not-a-token")).isInstanceOf(InvalidResetTokenException.class)
                .hasMessageContaining("unknown or already used rollback token");
        String older = dev.prepareRollback().value();
        String newer = dev.prepareRollback().value();
        assertThatThrownBy(() -> dev.rollback(1, older)).isInstanceOf(InvalidResetTokenException.class);
        assertThat(tables(db, "guarded")).contains("currencies");

        for (Environment env : List.of(Environment.STAGING, Environment.PRODUCTION)) {
            Operations prod = ops(db, "guarded", ORDERS, env, new OpsSettings(false, Duration.ofSeconds(60)));
            assertThatThrownBy(prod::prepareRollback).isInstanceOf(OperationRefusedException.class)
                    .hasMessageStartingWith("rollback is refused in " + env.key());
            assertThatThrownBy(() -> prod.rollback(1, newer)).isInstanceOf(OperationRefusedException.class)
                    .hasMessageStartingWith("rollback is refused in " + env.key());
        }
        assertThat(tables(db, "guarded")).contains("currencies");
        assertThat(dev.status().summary()).isEqualTo("4 applied, 0 pending");
        assertThat(dev.rollback(1, newer).success()).isTrue();
        assertThat(tables(db, "guarded")).contains("currencies");   // 4-currency-data only deleted rows
        assertThatThrownBy(() -> dev.rollback(1, newer)).isInstanceOf(InvalidResetTokenException.class);
    }

    @Test
    void previewShowsTheSqlMigrateWouldRunAndExecutesNothing(TestDatabase db) throws Exception {
        Operations ops = ops(db, "preview");
        exec(db, "CREATE SCHEMA preview");

        OperationResult preview = ops.preview();

        assertThat(preview.success()).as(preview.toText()).isTrue();
        assertThat(preview.summary()).startsWith("4 changesets pending");
        assertThat(preview.steps().get(preview.steps().size() - 1).detail())
                .contains("CREATE TABLE customers").contains("CREATE TABLE orders")
                .contains("INSERT INTO currencies");
        assertThat(tables(db, "preview")).doesNotContain("customers", "orders", "currencies");
        assertThat(ops.status().summary()).isEqualTo("0 applied, 4 pending");
    }

    @Test
    void changelogSyncBaselinesASchemaBuiltBeforeDbagent(TestDatabase db) throws Exception {
        exec(db, "CREATE SCHEMA legacy",
                "CREATE TABLE legacy.customers (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE legacy.orders (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
                        + " customer_id bigint NOT NULL REFERENCES legacy.customers (id), total_cents bigint NOT NULL,"
                        + " note text)",
                "CREATE TABLE legacy.currencies (code char(3) PRIMARY KEY)",
                "INSERT INTO legacy.customers (name) VALUES ('kept')");
        Operations ops = ops(db, "legacy");

        OperationResult sync = ops.changelogSync();

        assertThat(sync.success()).as(sync.toText()).isTrue();
        assertThat(sync.summary()).isEqualTo("4 changesets recorded as applied without running them (baseline)");
        assertThat(ops.status().summary()).isEqualTo("4 applied, 0 pending");
        assertThat(ops.migrate().summary()).isEqualTo("up to date, 0 changesets");
        assertThat(ops.drift().success()).isTrue();
        assertThat(one(db, "SELECT name FROM legacy.customers")).isEqualTo("kept");
        assertThat(ops.probeMigrations().upToDate()).isTrue();
    }

    @Test
    void repairChecksumsAfterAnIntentionalEditIsRefusedInProductionUnlessAllowed(TestDatabase db) throws Exception {
        Catalogue v1 = Catalogue.of("dev/dbagent/ops/checksum/v1.xml");
        Catalogue v2 = Catalogue.of("dev/dbagent/ops/checksum/v2.xml");
        assertThat(ops(db, "sums", v1, Environment.DEVELOPMENT, new OpsSettings(true, Duration.ofSeconds(60)))
                .migrate().success()).isTrue();
        Operations prod = ops(db, "sums", v2, Environment.PRODUCTION, new OpsSettings(false, Duration.ofSeconds(60)));
        assertThat(prod.status().summary()).isEqualTo("1 applied, 0 pending, 1 checksum mismatch");

        assertThatThrownBy(prod::repairChecksums).isInstanceOf(OperationRefusedException.class)
                .hasMessageContaining("dbagent.ops.repairChecksumsInProduction=true");
        assertThat(prod.status().summary()).isEqualTo("1 applied, 0 pending, 1 checksum mismatch");

        Operations allowed = ops(db, "sums", v2, Environment.PRODUCTION,
                new OpsSettings(false, Duration.ofSeconds(60), true));
        OperationResult repair = allowed.repairChecksums();
        assertThat(repair.success()).as(repair.toText()).isTrue();
        assertThat(repair.summary()).startsWith("1 changed checksum repaired");
        assertThat(allowed.status().summary()).isEqualTo("1 applied, 0 pending");
        assertThat(audit).filteredOn(e -> e.operation().equals("repair-checksums"))
                .extracting(AuditEvent::outcome).containsExactly(OperationOutcome.REFUSED, OperationOutcome.SUCCEEDED);
    }

    private static List<String> tables(TestDatabase db, String schema) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                     + schema + "' ORDER BY 1")) {
            List<String> names = new java.util.ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        }
    }

    private static void exec(TestDatabase db, String... sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static String one(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
