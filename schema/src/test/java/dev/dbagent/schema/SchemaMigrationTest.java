package dev.dbagent.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dbagent.testing.PostgresExtension;
import dev.dbagent.testing.TestDatabase;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class SchemaMigrationTest {

    private static final List<String> LIQUIBASE_TABLES = List.of(
            "relation databasechangelog BASE TABLE", "relation databasechangeloglock BASE TABLE");

    @Test
    void migrateRollbackAllMigrateEndsWithAnIdenticalSchema(TestDatabase db) {
        CivicSchema.migrate(db, "roundtrip");
        List<String> first = CivicSchema.catalogue(db, "roundtrip");
        int changesets = changesetCount(db, "roundtrip");

        CivicSchema.rollback(db, "roundtrip", changesets);
        List<String> empty = CivicSchema.catalogue(db, "roundtrip");
        CivicSchema.migrate(db, "roundtrip");
        List<String> second = CivicSchema.catalogue(db, "roundtrip");

        assertThat(changesets).isEqualTo(23);
        assertThat(first).contains(
                "relation bills BASE TABLE",
                "relation accountability_ledger_verification VIEW",
                "index bills_search_ix CREATE INDEX bills_search_ix ON <schema>.bills USING gin (search_vector)");
        assertThat(first).anyMatch(l -> l.startsWith("trigger accountability_ledger.accountability_ledger_no_change "));
        assertThat(first).anyMatch(l -> l.startsWith("function bill_status_guard() trigger v config=search_path=<schema> "));
        assertThat(empty).filteredOn(l -> !l.contains("databasechangelog")).isEmpty();
        assertThat(empty).containsAll(LIQUIBASE_TABLES);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void theSameChangelogAppliedToTwoSchemasGivesTheSameCatalogue(TestDatabase db) {
        CivicSchema.migrate(db, DomainSchema.DEFAULT_SCHEMA);
        CivicSchema.migrate(db, "drift_probe");

        assertThat(CivicSchema.catalogue(db, "drift_probe")).isEqualTo(CivicSchema.catalogue(db, DomainSchema.DEFAULT_SCHEMA));
        assertThat(tablesIn(db, "public")).isEmpty();
    }

    @Test
    void everyCataloguedTableExistsAfterMigration(TestDatabase db) {
        CivicSchema.migrate(db, "tables_probe");

        assertThat(tablesIn(db, "tables_probe"))
                .containsAll(DomainSchema.tables())
                .hasSize(DomainSchema.tables().size() + 2);
    }

    @Test
    void migratingAgainChangesNothingAndReferenceDataIsLoadedOnce(TestDatabase db) {
        CivicSchema.migrate(db, "again");
        List<String> before = CivicSchema.catalogue(db, "again");
        CivicSchema.migrate(db, "again");
        Jdbi jdbi = CivicSchema.jdbi(db, "again");
        // the reference changeset's own SQL is idempotent too: running it by hand again adds nothing
        jdbi.useHandle(h -> h.execute("INSERT INTO jurisdictions (code, name, level) VALUES ('us', 'United States', 'federal') "
                + "ON CONFLICT (code) DO NOTHING"));

        assertThat(CivicSchema.catalogue(db, "again")).isEqualTo(before);
        List<String> codes = jdbi.withHandle(h -> h.createQuery("SELECT code FROM jurisdictions ORDER BY code")
                .mapTo(String.class).list());
        int referenceChangesets = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM databasechangelog WHERE contexts = :c")
                .bind("c", DomainSchema.REFERENCE_CONTEXT).mapTo(Integer.class).one());
        assertThat(codes).containsExactly("us", "us-ca", "us-ny", "us-tx");
        assertThat(referenceChangesets).isEqualTo(1);
    }

    private static int changesetCount(TestDatabase db, String schema) {
        return CivicSchema.jdbi(db, schema).withHandle(h ->
                h.createQuery("SELECT count(*) FROM databasechangelog").mapTo(Integer.class).one());
    }

    private static List<String> tablesIn(TestDatabase db, String schema) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT table_name FROM information_schema.tables "
                + "WHERE table_schema = :s AND table_type = 'BASE TABLE'").bind("s", schema).mapTo(String.class).list());
    }
}
