package dev.dbagent.schema;

import dev.dbagent.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.RollbackCountCommandStep;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DatabaseChangelogCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.jdbi.v3.core.Jdbi;

/**
 * Test support: applies and rolls back {@link DomainSchema#MASTER_CHANGELOG} with Liquibase's Java
 * API into a schema of a test database, and dumps that schema's catalogue for comparisons.
 */
final class CivicSchema {

    private CivicSchema() {
    }

    /** Creates {@code schema} if needed and applies every changeset (reference data included). */
    static void migrate(TestDatabase db, String schema) {
        execute(db, "CREATE SCHEMA IF NOT EXISTS " + schema);
        liquibase(db, schema, () -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
                .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, DomainSchema.MASTER_CHANGELOG));
    }

    /** Rolls back {@code count} changesets, newest first. */
    static void rollback(TestDatabase db, String schema, int count) {
        liquibase(db, schema, () -> new CommandScope(RollbackCountCommandStep.COMMAND_NAME)
                .addArgumentValue(DatabaseChangelogCommandStep.CHANGELOG_FILE_ARG, DomainSchema.MASTER_CHANGELOG)
                .addArgumentValue(RollbackCountCommandStep.COUNT_ARG, count));
    }

    /** A Jdbi whose connections have {@code schema} as their search path. */
    static Jdbi jdbi(TestDatabase db, String schema) {
        return db.jdbi(schema);
    }

    /** Runs statements as the superuser, outside any schema search path. */
    static void execute(TestDatabase db, String... sql) {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A description of every object in {@code schema}: tables and views, columns, constraints,
     * indexes, triggers, functions and sequences, each as one sorted line with the schema name
     * replaced by {@code <schema>} so that two schemas can be compared.
     */
    static List<String> catalogue(TestDatabase db, String schema) {
        List<String> lines = new ArrayList<>();
        Jdbi jdbi = db.jdbi();
        jdbi.useHandle(h -> {
            lines.addAll(h.createQuery("SELECT 'relation ' || table_name || ' ' || table_type FROM information_schema.tables "
                    + "WHERE table_schema = :s").bind("s", schema).mapTo(String.class).list());
            lines.addAll(h.createQuery("SELECT 'column ' || table_name || '.' || column_name || ' #' || ordinal_position"
                    + " || ' ' || data_type || ' null=' || is_nullable || ' default=' || coalesce(column_default, '-')"
                    + " || ' identity=' || is_identity || ' generated=' || coalesce(generation_expression, '-')"
                    + " FROM information_schema.columns WHERE table_schema = :s").bind("s", schema)
                    .mapTo(String.class).list());
            lines.addAll(h.createQuery("SELECT 'constraint ' || c.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)"
                    + " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                    + " WHERE k.connamespace = to_regnamespace(:s)").bind("s", schema).mapTo(String.class).list());
            lines.addAll(h.createQuery("SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = :s")
                    .bind("s", schema).mapTo(String.class).list());
            lines.addAll(h.createQuery("SELECT 'trigger ' || c.relname || '.' || t.tgname || ' ' || pg_get_triggerdef(t.oid)"
                    + " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                    + " WHERE c.relnamespace = to_regnamespace(:s) AND NOT t.tgisinternal").bind("s", schema)
                    .mapTo(String.class).list());
            lines.addAll(h.createQuery("SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid)"
                    + " || ') ' || pg_get_function_result(p.oid) || ' ' || p.provolatile::text || ' config='"
                    + " || coalesce(array_to_string(p.proconfig, ','), '-') || ' src=' || md5(p.prosrc)"
                    + " FROM pg_proc p WHERE p.pronamespace = to_regnamespace(:s)").bind("s", schema)
                    .mapTo(String.class).list());
            lines.addAll(h.createQuery("SELECT 'view ' || viewname || ' ' || definition FROM pg_views WHERE schemaname = :s")
                    .bind("s", schema).mapTo(String.class).list());
            lines.addAll(h.createQuery("SELECT 'sequence ' || sequence_name || ' ' || data_type || ' ' || start_value"
                    + " FROM information_schema.sequences WHERE sequence_schema = :s").bind("s", schema)
                    .mapTo(String.class).list());
        });
        return lines.stream()
                .map(line -> line.replace("\"" + schema + "\".", "<schema>.").replace(schema + ".", "<schema>.")
                        .replace("search_path=" + schema, "search_path=<schema>"))
                .sorted()
                .toList();
    }

    private interface Command {
        CommandScope create() throws Exception;
    }

    private static void liquibase(TestDatabase db, String schema, Command command) {
        try (Connection c = db.dataSource(schema).getConnection()) {
            Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
            database.setDefaultSchemaName(schema);
            Scope.child(Scope.Attr.resourceAccessor.name(), new ClassLoaderResourceAccessor(CivicSchema.class.getClassLoader()),
                    () -> command.create().addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database).execute());
        } catch (Exception e) {
            throw new IllegalStateException("Liquibase failed in schema " + schema + ": " + e.getMessage(), e);
        }
    }
}
