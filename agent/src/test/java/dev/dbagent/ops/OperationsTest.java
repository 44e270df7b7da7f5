package dev.dbagent.ops;

import dev.dbagent.config.OpsSettings;
import dev.dbagent.config.Environment;
import dev.dbagent.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dbagent.DbAgentException;
import dev.dbagent.OperationRefusedException;
import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

@ExtendWith(PostgresExtension.class)
class OperationsTest {
    static final String SIMPLE = "dev/dbagent/ops/simple/master.xml";
    static final String SIMPLE_PLUS = "dev/dbagent/ops/simple-plus.xml";
    static final String BROKEN = "dev/dbagent/ops/broken.xml";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();

    private Operations ops(TestDatabase db, String schema, String changelog, String environment) {
        return ops(db.jdbcUrl(), db, schema, changelog, environment);
    }

    private Operations ops(String url, TestDatabase db, String schema, String changelog, String environment) {
        return Operations.builder()
                .jdbcUrl(url).user(db.user()).password(db.password())
                .targetSchema(schema)
                .changelog(changelog)
                .referenceContext("reference")
                .daoClasses(List.of(PersonDao.class))
                .environment(Environment.parse(environment).orElseThrow()).clock(clock)
                .auditListener(audit::add)
                .healthReport(() -> "UP\n  primary: round trip 1 ms")
                .build();
    }

    static long count(TestDatabase db, String sql) throws SQLException {
        return count(db.dataSource(), sql);
    }

    static long count(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void exec(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static List<String> strings(TestDatabase db, String sql) throws SQLException {
        return strings(db.dataSource(), sql);
    }

    static List<String> strings(DataSource ds, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- init

    @Test
    void initCreatesDatabaseSchemasAndReferenceDataAndASecondRunChangesNothing(TestDatabase db) throws Exception {
        String name = "ops_init_" + System.nanoTime();
        String url = db.server().jdbcUrl(name);
        Operations ops = ops(url, db, "app", SIMPLE, "test");
        try {
            OperationResult first = ops.init();
            assertThat(first.success()).as(first.toText()).isTrue();
            assertThat(first.summary()).isEqualTo("initialised app: 5 changesets applied");
            assertThat(first.steps()).extracting(OperationResult.Step::name)
                    .contains("database " + name, "schema dbagent", "schema app", "1-person (alice)", "ref-1-countries (alice)");
            assertThat(first.steps().get(0).detail()).isEqualTo("created");

            PGSimpleDataSource created = new PGSimpleDataSource();
            created.setURL(url);
            created.setUser(db.user());
            created.setPassword(db.password());
            assertThat(strings(created, "SELECT code FROM app.country ORDER BY code")).containsExactly("DE", "NL");
            assertThat(count(created, "SELECT count(*) FROM dbagent.audit_log")).isEqualTo(1);

            OperationResult second = ops.init();
            assertThat(second.success()).isTrue();
            assertThat(second.summary()).isEqualTo("already initialised, 0 changesets");
            assertThat(count(created, "SELECT count(*) FROM app.databasechangelog")).isEqualTo(5);
        } finally {
            db.server().dropDatabase(name);
        }
    }

    // ---------------------------------------------------------------- migrate

    @Test
    void migrateAppliesPendingChangesetsWithTheirTimesAndLeavesReferenceDataToInit(TestDatabase db) throws Exception {
        Operations ops = ops(db, "mig", SIMPLE, "development");
        OperationResult r = ops.migrate();
        assertThat(r.success()).as(r.toText()).isTrue();
        assertThat(r.summary()).isEqualTo("4 changesets applied");
        assertThat(r.steps()).extracting(OperationResult.Step::name).containsSubsequence(
                "schema dbagent", "migration lock", "schema mig", "1-person (alice)", "2-person-email-index (alice)",
                "3-country (bob)", "4-touch-trigger (bob)");
        assertThat(r.steps().stream().filter(s -> s.name().equals("3-country (bob)")).findFirst().orElseThrow().detail())
                .isEqualTo("EXECUTED dev/dbagent/ops/simple/tables.sql");
        assertThat(count(db, "SELECT count(*) FROM mig.country")).isZero();
        assertThat(r.toText()).startsWith("migrate: OK - 4 changesets applied (").contains("1-person (alice)");

        OperationResult status = ops.status();
        assertThat(status.summary()).isEqualTo("4 applied, 0 pending");
        assertThat(status.warnings()).containsExactly("1 reference-data changeset not loaded; init loads it");

        OperationResult again = ops.migrate();
        assertThat(again.summary()).isEqualTo("up to date, 0 changesets");

        OperationResult init = ops.init();
        assertThat(init.summary()).isEqualTo("initialised mig: 1 changeset applied");
        assertThat(count(db, "SELECT count(*) FROM mig.country")).isEqualTo(2);
    }

    @Test
    void migrateOnStartSkipsLiquibaseWhenTheDigestIsUnchangedAndFallsBackWhenItDiffers(TestDatabase db) throws Exception {
        Operations ops = ops(db, "fast", SIMPLE, "test");
        OperationResult first = ops.migrateOnStart();
        assertThat(first.steps().get(0).detail()).isEqualTo("no digest stored");
        assertThat(first.summary()).isEqualTo("4 changesets applied");
        String digest = strings(db, "SELECT digest FROM dbagent.migration_state WHERE target_schema = 'fast'").get(0);
        assertThat(digest).hasSize(64);
        assertThat(strings(db, "SELECT files FROM dbagent.migration_state WHERE target_schema = 'fast'").get(0))
                .isEqualTo("dev/dbagent/ops/simple/master.xml\ndev/dbagent/ops/simple/reference.sql\n"
                        + "dev/dbagent/ops/simple/tables.sql");

        // Proof that Liquibase is not consulted: a pending changeset it would find goes unnoticed.
        exec(db, "DELETE FROM fast.databasechangelog WHERE id = '4-touch-trigger'");
        OperationResult fast = ops.migrateOnStart();
        assertThat(fast.summary()).isEqualTo("up to date (changelog digest unchanged), Liquibase skipped");
        assertThat(fast.steps()).hasSize(1);
        assertThat(count(db, "SELECT count(*) FROM fast.databasechangelog")).isEqualTo(3);
        exec(db, "INSERT INTO fast.databasechangelog SELECT '4-touch-trigger', author, filename, dateexecuted,"
                + " 4, exectype, md5sum, description, comments, tag, liquibase, contexts, labels, deployment_id"
                + " FROM fast.databasechangelog WHERE id = '3-country'");
        exec(db, "UPDATE fast.databasechangelog SET md5sum = NULL WHERE id = '4-touch-trigger'");

        // A changed changelog (new digest): the full check runs and applies the new changeset.
        Operations plus = ops(db, "fast", SIMPLE_PLUS, "test");
        OperationResult full = plus.migrateOnStart();
        assertThat(full.success()).as(full.toText()).isTrue();
        assertThat(full.steps().get(0).detail()).isEqualTo("changelog changed");
        assertThat(full.summary()).isEqualTo("1 changeset applied");
        assertThat(full.steps()).extracting(OperationResult.Step::name).contains("5-person-nickname (carol)");
        assertThat(strings(db, "SELECT digest FROM dbagent.migration_state WHERE target_schema = 'fast'").get(0))
                .isNotEqualTo(digest);
        assertThat(plus.migrateOnStart().summary()).endsWith("Liquibase skipped");
    }

    @Test
    void migrateOnStartThrowsWhenAChangesetFails(TestDatabase db) {
        Operations ops = ops(db, "startbroken", BROKEN, "test");
        assertThatThrownBy(ops::migrateOnStart).isInstanceOf(DbAgentException.class)
                .hasMessageContaining("migration on start failed for schema startbroken")
                .hasMessageContaining("b2-broken-index (dave)")
                .hasMessageContaining("column \"colour\" does not exist");
    }

    @Test
    void aBrokenChangesetIsReportedWithItsIdAndTheSqlError(TestDatabase db) throws Exception {
        Operations ops = ops(db, "broken", BROKEN, "test");
        OperationResult r = ops.migrate();
        assertThat(r.success()).isFalse();
        assertThat(r.summary()).startsWith("changeset b2-broken-index (dave) failed: ERROR: column \"colour\" does not exist")
                .contains("[SQLSTATE 42703]");
        assertThat(strings(db, "SELECT id FROM broken.databasechangelog ORDER BY orderexecuted")).containsExactly("b1-widget");
        assertThat(count(db, "SELECT count(*) FROM dbagent.migration_state WHERE target_schema = 'broken'")).isZero();
    }

    @Test
    void aMigrationWaitingTooLongForTheLockSaysWhoHoldsIt(TestDatabase db) throws Exception {
        Operations ops = Operations.builder().jdbcUrl(db.jdbcUrl()).user(db.user()).password(db.password())
                .targetSchema("waiting").changelog(SIMPLE).environment(Environment.TEST)
                .migrationLockTimeout(Duration.ofMillis(300)).build();
        try (Connection holder = db.dataSource().getConnection(); Statement s = holder.createStatement()) {
            s.execute("SET application_name = 'other-migrator'");
            s.execute("SELECT pg_advisory_lock(" + AgentSchema.LOCK_CLASS + ", " + MigrationLock.keyFor("waiting") + ")");
            OperationResult r = ops.migrate();
            assertThat(r.success()).isFalse();
            assertThat(r.summary()).startsWith("migration lock not obtained within 300 ms; held by pid ")
                    .contains("other-migrator");
        }
    }

    // ---------------------------------------------------------------- status / validate

    @Test
    void statusListsAppliedPendingAndTheLock(TestDatabase db) throws Exception {
        ops(db, "stat", SIMPLE, "test").migrate();
        assertThat(ops(db, "stat", SIMPLE, "test").status().success()).isTrue();
        OperationResult s = ops(db, "stat", SIMPLE_PLUS, "test").status();
        assertThat(s.success()).isFalse();
        assertThat(s.summary()).isEqualTo("4 applied, 1 pending");
        assertThat(s.steps()).extracting(OperationResult.Step::name)
                .containsExactly("applied", "pending 5-person-nickname (carol)", "migration lock");
        assertThat(s.steps().get(0).detail()).startsWith("4 (last: 4-touch-trigger at ");
        assertThat(s.steps().get(2).detail()).isEqualTo("free");

        exec(db, "UPDATE stat.databasechangeloglock SET locked = TRUE, lockedby = 'ghost-host (10.0.0.9)',"
                + " lockgranted = now()");
        OperationResult stale = ops(db, "stat", SIMPLE, "test").status();
        assertThat(stale.warnings()).anySatisfy(w -> assertThat(w)
                .startsWith("stale Liquibase DATABASECHANGELOGLOCK held by ghost-host (10.0.0.9) since"));
    }

    @Test
    void validateDryRunsPendingChangesetsAndLeavesTheDatabaseUnchanged(TestDatabase db) throws Exception {
        OperationResult ok = ops(db, "val", SIMPLE, "test").validate();
        assertThat(ok.success()).as(ok.toText()).isTrue();
        assertThat(ok.summary()).isEqualTo("changelog valid: 5 pending changesets dry-run and rolled back");
        assertThat(ok.steps()).extracting(OperationResult.Step::name).contains("dry run 4-touch-trigger (bob)",
                "dry run ref-1-countries (alice)");
        assertThat(count(db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'val'")).isZero();

        ops(db, "val2", BROKEN, "test").validate();
        OperationResult bad = ops(db, "val2", BROKEN, "test").validate();
        assertThat(bad.success()).isFalse();
        assertThat(bad.summary()).isEqualTo("changeset b2-broken-index (dave) failed: ERROR: column \"colour\" does not"
                + " exist [SQLSTATE 42703] (dry run rolled back; database unchanged)");
        assertThat(bad.steps()).extracting(OperationResult.Step::name).contains("dry run b1-widget (dave)");
        assertThat(count(db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'val2'")).isZero();
        assertThat(count(db, "SELECT count(*) FROM pg_class WHERE relname IN ('widget', 'databasechangelog', "
                + "'databasechangeloglock') AND relnamespace = 'public'::regnamespace")).isZero();
    }

    @Test
    void validateOfAnAppliedSchemaDryRunsOnlyWhatIsPending(TestDatabase db) throws Exception {
        ops(db, "val3", SIMPLE, "test").migrate();
        OperationResult r = ops(db, "val3", SIMPLE_PLUS, "test").validate();
        assertThat(r.success()).as(r.toText()).isTrue();
        assertThat(r.summary()).isEqualTo("changelog valid: 2 pending changesets dry-run and rolled back");
        assertThat(strings(db, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'val3'"
                + " AND table_name = 'person' ORDER BY column_name")).doesNotContain("nickname");
        assertThat(count(db, "SELECT count(*) FROM val3.databasechangelog")).isEqualTo(4);
        assertThat(count(db, "SELECT count(*) FROM val3.country")).isZero();
    }

    @Test
    void anUnparseableChangelogIsReported(TestDatabase db) {
        OperationResult r = ops(db, "unparse", "dev/dbagent/ops/unparseable.xml", "test").validate();
        assertThat(r.success()).isFalse();
        assertThat(r.summary()).startsWith("changelog dev/dbagent/ops/unparseable.xml does not parse: ");
    }

    @Test
    void aChecksumChangedAfterItWasAppliedIsReportedByStatusValidateAndMigrate(TestDatabase db) throws Exception {
        assertThat(ops(db, "sum", "dev/dbagent/ops/checksum/v1.xml", "test").migrate().success()).isTrue();
        Operations changed = ops(db, "sum", "dev/dbagent/ops/checksum/v2.xml", "test");

        OperationResult status = changed.status();
        assertThat(status.success()).isFalse();
        assertThat(status.summary()).isEqualTo("1 applied, 0 pending, 1 checksum mismatch");
        assertThat(status.warnings().get(0)).startsWith("changeset c1-thing (erin) in dev/dbagent/ops/checksum.xml"
                + " was changed after it was applied on ").contains("stored checksum 9:");

        OperationResult validate = changed.validate();
        assertThat(validate.success()).isFalse();
        assertThat(validate.summary()).startsWith("changeset c1-thing (erin) in dev/dbagent/ops/checksum.xml was changed");

        OperationResult migrate = changed.migrate();
        assertThat(migrate.success()).isFalse();
        assertThat(migrate.summary()).contains("c1-thing").containsIgnoringCase("checksum");
    }

    // ---------------------------------------------------------------- verify / drift

    @Test
    void verifyPlansEveryDaoStatementWithoutExecutingItAndDriftFindsNothing(TestDatabase db) throws Exception {
        Operations ops = ops(db, "ver", SIMPLE, "test");
        ops.init();
        OperationResult v = ops.verify();
        assertThat(v.success()).as(v.toText()).isTrue();
        assertThat(v.summary()).isEqualTo("5 statements of 1 DAOs planned against ver");
        assertThat(v.steps()).extracting(OperationResult.Step::detail).containsOnly("ok");
        assertThat(count(db, "SELECT count(*) FROM ver.person")).isZero();

        OperationResult d = ops.drift();
        assertThat(d.success()).as(d.toText()).isTrue();
        assertThat(d.summary()).startsWith("no drift: ").endsWith(" objects of ver match the changelog");
        assertThat(count(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'dbagent_drift_%'")).isZero();
    }

    @Test
    void aColumnDroppedByHandIsReportedByVerifyAndDrift(TestDatabase db) throws Exception {
        Operations ops = ops(db, "hand", SIMPLE, "test");
        ops.migrate();
        exec(db, "DROP INDEX hand.person_email_idx");
        exec(db, "ALTER TABLE hand.person DROP COLUMN email");
        exec(db, "ALTER TABLE hand.country ADD COLUMN flag text");

        OperationResult v = ops.verify();
        assertThat(v.success()).isFalse();
        assertThat(v.summary()).startsWith("3 of 5 statements fail against hand; first: PersonDao.findByEmail: ERROR: column \"email\" does not exist");
        assertThat(v.steps()).filteredOn(s -> s.name().equals("PersonDao.findById")).singleElement()
                .satisfies(s -> assertThat(s.detail()).contains("column \"email\" does not exist").contains("42703"));
        assertThat(v.steps()).filteredOn(s -> s.name().equals("PersonDao.insert")).singleElement()
                .satisfies(s -> assertThat(s.detail()).contains("column \"email\" of relation \"person\" does not exist"));
        assertThat(v.steps()).filteredOn(s -> s.name().equals("PersonDao.namesIn")).singleElement()
                .satisfies(s -> assertThat(s.detail()).isEqualTo("ok"));

        OperationResult d = ops.drift();
        assertThat(d.success()).isFalse();
        assertThat(d.summary()).isEqualTo("3 differences between hand and the changelog");
        assertThat(d.steps()).extracting(OperationResult.Step::detail).contains(
                "column person.email: missing in the live schema (the changelog has: text null)",
                "index person_email_idx: missing in the live schema (the changelog has:"
                        + " CREATE UNIQUE INDEX person_email_idx ON person USING btree (email))",
                "column country.flag: in the live schema but not in the changelog (text null)");
        assertThat(count(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'dbagent_drift_%'")).isZero();
    }

    @Test
    void driftSeesChangedTypesDefaultsAndTriggers(TestDatabase db) throws Exception {
        Operations ops = ops(db, "drift2", SIMPLE, "test");
        ops.migrate();
        exec(db, "ALTER TABLE drift2.person ALTER COLUMN name TYPE varchar(80)");
        exec(db, "ALTER TABLE drift2.person ALTER COLUMN created_at DROP DEFAULT");
        exec(db, "DROP TRIGGER person_touch ON drift2.person");
        OperationResult d = ops.drift();
        assertThat(d.steps()).extracting(OperationResult.Step::detail).contains(
                "column person.name: changed - live: character varying(80) not null; changelog: text not null",
                "column person.created_at: changed - live: timestamp with time zone not null;"
                        + " changelog: timestamp with time zone not null default now()",
                "trigger person.person_touch: missing in the live schema (the changelog has: CREATE TRIGGER person_touch"
                        + " BEFORE INSERT ON person FOR EACH ROW EXECUTE FUNCTION touch())");
    }

    // ---------------------------------------------------------------- reset

    @Test
    void resetIsRefusedInProductionAndStagingWhateverTheArguments(TestDatabase db) throws Exception {
        for (String env : List.of("production", "staging")) {
            Operations ops = ops(db, "prod", SIMPLE, env);
            assertThatThrownBy(ops::prepareReset).isInstanceOf(OperationRefusedException.class)
                    .hasMessageStartingWith("reset is refused in " + env);
            assertThatThrownBy(() -> ops.reset("0123456789abcdef")).isInstanceOf(OperationRefusedException.class)
                    .hasMessage("reset is refused in " + env + ": it drops every table of schema prod; it is only"
                            + " possible in development and test");
        }
        assertThat(audit).filteredOn(e -> e.operation().equals("reset")).allSatisfy(e -> {
            assertThat(e.success()).isFalse();
            assertThat(e.arguments()).containsEntry("token", "****");
            assertThat(e.outcome()).isEqualTo(OperationOutcome.REFUSED);
            assertThat(e.summary()).startsWith("refused: reset is refused in ");
        });
        assertThat(strings(db, "SELECT arguments FROM dbagent.audit_log WHERE operation = 'reset'"
                + " AND outcome LIKE 'refused: reset is refused in %'"))
                .hasSize(2).allSatisfy(a -> assertThat(a).isEqualTo("{token=****}"));
    }

    @Test
    void resetDisabledByConfigurationIsRefusedEvenInDevelopment(TestDatabase db) {
        Operations ops = Operations.builder().jdbcUrl(db.jdbcUrl()).user(db.user()).password(db.password())
                .targetSchema("off").changelog(SIMPLE)
                .environment(Environment.DEVELOPMENT).settings(new OpsSettings(false, Duration.ofSeconds(60))).clock(clock).build();
        assertThatThrownBy(ops::prepareReset).isInstanceOf(OperationRefusedException.class)
                .hasMessage("reset is refused: it is disabled by configuration (dbagent.ops.resetEnabled=false)"
                        + " in development");
    }

    @Test
    void resetWithAFreshTokenDropsAndRecreatesTheSchemaButKeepsTheAudit(TestDatabase db) throws Exception {
        Operations ops = ops(db, "rst", SIMPLE, "development").as("jmx:operator");
        ops.init();
        exec(db, "INSERT INTO rst.person (name) VALUES ('temporary')");
        exec(db, "CREATE TABLE rst.stray (id int)");
        long auditBefore = count(db, "SELECT count(*) FROM dbagent.audit_log");

        ResetToken token = ops.prepareReset();
        assertThat(token.expiresAt()).isEqualTo(Instant.parse("2026-01-01T00:01:00Z"));
        OperationResult r = ops.reset(token.value());
        assertThat(r.success()).as(r.toText()).isTrue();
        assertThat(r.summary()).isEqualTo("schema rst dropped and re-created: 5 changesets applied");
        assertThat(count(db, "SELECT count(*) FROM rst.person")).isZero();
        assertThat(count(db, "SELECT count(*) FROM rst.country")).isEqualTo(2);
        assertThat(count(db, "SELECT count(*) FROM pg_class WHERE relname = 'stray'")).isZero();
        assertThat(count(db, "SELECT count(*) FROM dbagent.audit_log")).isEqualTo(auditBefore + 2);
        assertThat(strings(db, "SELECT caller || ' ' || operation || ' ' || arguments || ' ' || success"
                + " FROM dbagent.audit_log WHERE operation = 'reset' AND caller = 'jmx:operator'")).containsExactly("jmx:operator reset {token=****} true");
        assertThat(audit).extracting(AuditEvent::operation).endsWith("prepare-reset", "reset");
        assertThat(audit.get(audit.size() - 1).caller()).isEqualTo("jmx:operator");

        assertThatThrownBy(() -> ops.reset(token.value())).isInstanceOf(OperationRefusedException.class)
                .hasMessageStartingWith("reset refused: unknown or already used reset token");
        assertThat(audit.get(audit.size() - 1).outcome()).isEqualTo(OperationOutcome.REFUSED);
        assertThat(audit.get(audit.size() - 1).summary()).startsWith("refused: reset refused: unknown or already used");
    }

    @Test
    void anExpiredTokenIsRefused(TestDatabase db) throws Exception {
        Operations ops = ops(db, "exp", SIMPLE, "test");
        ops.migrate();
        ResetToken token = ops.prepareReset();
        clock.advance(Duration.ofSeconds(60));
        assertThatThrownBy(() -> ops.reset(token.value())).isInstanceOf(OperationRefusedException.class)
                .hasMessage("reset refused: the reset token expired at 2026-01-01T00:01:00Z (now 2026-01-01T00:01:00Z);"
                        + " call prepareReset again");
        assertThatThrownBy(() -> ops.reset(token.value())).isInstanceOf(OperationRefusedException.class)
                .hasMessageContaining("unknown or already used");
        assertThatThrownBy(() -> ops.reset(null)).isInstanceOf(OperationRefusedException.class)
                .hasMessageContaining("unknown or already used");
        assertThat(count(db, "SELECT count(*) FROM exp.databasechangelog")).isEqualTo(4);
    }

    // ---------------------------------------------------------------- lock / profile / health

    @Test
    void releaseLockClearsAStaleLiquibaseLockButNotALiveHolderUnlessForced(TestDatabase db) throws Exception {
        Operations ops = ops(db, "lck", SIMPLE, "test");
        ops.migrate();
        assertThat(ops.releaseLock(false).summary()).isEqualTo("no lock held; nothing to release");

        exec(db, "UPDATE lck.databasechangeloglock SET locked = TRUE, lockedby = 'dead-host', lockgranted = now()");
        OperationResult stale = ops.releaseLock(false);
        assertThat(stale.success()).isTrue();
        assertThat(stale.summary()).startsWith("released stale Liquibase DATABASECHANGELOGLOCK held by dead-host since ");
        assertThat(count(db, "SELECT count(*) FROM lck.databasechangeloglock WHERE locked")).isZero();

        try (Connection holder = db.dataSource().getConnection(); Statement s = holder.createStatement()) {
            s.execute("SET application_name = 'stuck-migrator'");
            s.execute("SELECT pg_advisory_lock(" + AgentSchema.LOCK_CLASS + ", " + MigrationLock.keyFor("lck") + ")");
            OperationResult status = ops.status();
            assertThat(status.steps()).filteredOn(st -> st.name().equals("migration lock")).singleElement()
                    .satisfies(st -> assertThat(st.detail()).startsWith("held by pid ").contains("stuck-migrator"));
            assertThatThrownBy(() -> ops.releaseLock(false)).isInstanceOf(OperationRefusedException.class)
                    .hasMessageStartingWith("migration lock of lck is held by a live session: pid ")
                    .hasMessageContaining("stuck-migrator").hasMessageContaining("use force=true");
            OperationResult forced = ops.releaseLock(true);
            assertThat(forced.summary()).isEqualTo("forced: terminated 1 session holding the migration lock; lock released");
            assertThat(holder.isValid(2)).isFalse();
        }
        assertThat(ops.migrate().summary()).isEqualTo("up to date, 0 changesets");
    }

    @Test
    void profileReportsChangesetsSlowestFirstAndCleansUp(TestDatabase db) throws Exception {
        OperationResult p = ops(db, "prof", SIMPLE, "test").profile();
        assertThat(p.success()).as(p.toText()).isTrue();
        assertThat(p.summary()).startsWith("5 changesets in ");
        List<OperationResult.Step> changesets = p.steps().subList(0, 5);
        assertThat(changesets).extracting(OperationResult.Step::millis).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(changesets).extracting(OperationResult.Step::name).containsExactlyInAnyOrder("1-person (alice)",
                "2-person-email-index (alice)", "3-country (bob)", "4-touch-trigger (bob)", "ref-1-countries (alice)");
        assertThat(p.steps().get(5).name()).startsWith("drop dbagent_profile_");
        assertThat(p.steps().subList(6, p.steps().size())).extracting(OperationResult.Step::name)
                .containsExactly("server", "database size", "largest tables", "connections", "settings");
        assertThat(p.steps().get(6).detail()).startsWith("PostgreSQL ");
        assertThat(p.steps().get(10).detail()).contains("max_connections=");
        assertThat(count(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'dbagent_profile_%'"
                + " OR nspname = 'prof'")).isZero();
    }

    @Test
    void healthDelegatesToTheSuppliedReport(TestDatabase db) {
        OperationResult h = ops(db, "hlth", SIMPLE, "test").health();
        assertThat(h.success()).isTrue();
        assertThat(h.summary()).isEqualTo("UP");
        assertThat(h.steps().get(0).detail()).isEqualTo("UP\n  primary: round trip 1 ms");
        OperationResult down = Operations.builder().jdbcUrl(db.jdbcUrl()).user(db.user()).password(db.password())
                .targetSchema("hlth").changelog(SIMPLE).environment(Environment.TEST)
                .healthReport(() -> "DOWN: primary unreachable").build().health();
        assertThat(down.success()).isFalse();
        assertThat(down.summary()).isEqualTo("DOWN: primary unreachable");
        OperationResult none = Operations.builder().jdbcUrl(db.jdbcUrl()).user(db.user()).password(db.password())
                .targetSchema("hlth").changelog(SIMPLE).environment(Environment.TEST).build().health();
        assertThat(none.success()).isFalse();
        assertThat(none.summary()).isEqualTo("no health monitor attached");
    }

    @Test
    void everyOperationIsAuditedWithCallerArgumentsResultAndDuration(TestDatabase db) throws Exception {
        Operations ops = ops(db, "aud", SIMPLE, "test").as("jmx:alice");
        ops.migrate();
        ops.releaseLock(false);
        assertThat(audit).extracting(e -> e.caller() + " " + e.operation() + " " + e.arguments() + " " + e.success()
                + " " + e.summary()).containsExactly(
                "jmx:alice migrate {} true 4 changesets applied",
                "jmx:alice release-lock {force=false} true no lock held; nothing to release");
        assertThat(audit.get(0).at()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(strings(db, "SELECT caller || '|' || operation || '|' || arguments || '|' || outcome"
                + " FROM dbagent.audit_log WHERE caller = 'jmx:alice' ORDER BY id")).containsExactly(
                "jmx:alice|migrate|{}|4 changesets applied",
                "jmx:alice|release-lock|{force=false}|no lock held; nothing to release");
        assertThat(ops.toString()).doesNotContain(db.password() == null ? "\u0000" : db.password());
    }

    @Test
    void aFailingAuditListenerDoesNotChangeTheResult(TestDatabase db) {
        Operations ops = ops(db, "lst", SIMPLE, "test");
        ops.addAuditListener(e -> {
            throw new IllegalStateException("listener down");
        });
        OperationResult r = ops.health();
        assertThat(r.success()).isTrue();
        assertThat(audit).extracting(AuditEvent::operation).containsExactly("health");
    }

    @Test
    void builderReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> Operations.builder().jdbcUrl("jdbc:mysql://x/y").targetSchema("dbagent").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid operations settings: jdbcUrl must start with jdbc:postgresql://, but was"
                        + " jdbc:mysql://x/y; user is required; targetSchema must not be 'dbagent' (reserved);"
                        + " environment is required");
    }
}
