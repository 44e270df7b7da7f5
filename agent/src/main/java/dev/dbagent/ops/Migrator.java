package dev.dbagent.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import liquibase.Contexts;
import liquibase.Scope;
import liquibase.analytics.configuration.AnalyticsArgs;
import liquibase.change.CheckSum;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.changelog.filter.ContextChangeSetFilter;
import liquibase.changelog.filter.DbmsChangeSetFilter;
import liquibase.changelog.visitor.AbstractChangeExecListener;
import liquibase.command.CommandScope;
import liquibase.command.core.ChangelogSyncCommandStep;
import liquibase.command.core.ClearChecksumsCommandStep;
import liquibase.command.core.RollbackCommandStep;
import liquibase.command.core.RollbackCountCommandStep;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.UpdateSqlCommandStep;
import liquibase.command.core.helpers.DatabaseChangelogCommandStep;
import liquibase.command.core.helpers.ChangeExecListenerCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.DatabaseException;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.ResourceAccessor;
import liquibase.ui.LoggerUIService;

/**
 * Runs Liquibase for one changelog against one schema of the primary. The changelog's
 * DATABASECHANGELOG lives in the schema it is applied to, so a throwaway schema (drift, profile)
 * has its own. Unqualified SQL in the changelog lands in that schema through the search path.
 */
final class Migrator {
    private static final LiquibaseLogging LOGGING = new LiquibaseLogging();
    private final Coordinates coordinates;
    private final String changelog;
    private final ClassLoader classLoader;
    private final ResourceAccessor resources;

    Migrator(Coordinates coordinates, String changelog, ClassLoader classLoader) {
        this.coordinates = coordinates;
        this.changelog = changelog;
        this.classLoader = classLoader;
        this.resources = new ClassLoaderResourceAccessor(classLoader);
    }

    String changelog() { return changelog; }

    /** Keys ({@link Applied#key}) of the changelog's changesets selected by one context expression. */
    private final Map<String, java.util.Set<String>> changeSetKeys = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The keys of the changesets a migration with {@code contexts} would apply, parsed once and
     * cached: the changelog is a classpath resource of this version and does not change while it
     * runs, and the health probe asks every interval. Changesets limited to another DBMS are left
     * out.
     *
     * @param contexts the migrate context expression, or null for all
     * @return an unmodifiable set of {@code id::author::file} keys
     * @throws Exception if the changelog cannot be parsed
     */
    java.util.Set<String> changeSetKeys(String contexts) throws Exception {
        java.util.Set<String> cached = changeSetKeys.get(contexts == null ? "" : contexts);
        if (cached != null) {
            return cached;
        }
        DatabaseChangeLog log = parse(null);
        ContextChangeSetFilter filter = new ContextChangeSetFilter(new Contexts(contexts));
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        inScope(() -> {
            for (ChangeSet cs : log.getChangeSets()) {
                java.util.Set<String> dbms = cs.getDbmsSet();
                boolean forUs = dbms == null || dbms.isEmpty() || dbms.contains("postgresql") || dbms.contains("all");
                if (forUs && filter.accepts(cs).isAccepted()) {
                    keys.add(Applied.key(cs.getId(), cs.getAuthor(), cs.getFilePath()));
                }
            }
            return null;
        });
        java.util.Set<String> result = java.util.Collections.unmodifiableSet(keys);
        // two racing first probes parse twice and store equal sets: harmless
        changeSetKeys.put(contexts == null ? "" : contexts, result);
        return result;
    }

    /** How one changeset ran. */
    record Ran(String id, String author, String file, long millis, String execType) {
        String name() { return id + " (" + author + ")"; }
    }

    /** The result of an update: what ran, and the first failure if any. */
    record Outcome(List<Ran> ran, Failure failure) {
        boolean ok() { return failure == null; }
    }

    /** The changeset that failed (null if the failure came before any changeset) and why. */
    record Failure(String changeSet, String error) {
        String describe() {
            return changeSet == null ? error : "changeset " + changeSet + " failed: " + error;
        }
    }

    <T> T inScope(Scope.ScopedRunnerWithReturn<T> work) throws Exception {
        Map<String, Object> scope = new HashMap<>();
        scope.put(Scope.Attr.resourceAccessor.name(), resources);
        scope.put(Scope.Attr.classLoader.name(), classLoader);
        scope.put(Scope.Attr.ui.name(), new LoggerUIService());
        scope.put(Scope.Attr.logService.name(), LOGGING);
        scope.put(AnalyticsArgs.ENABLED.getKey(), Boolean.FALSE);
        return Scope.child(scope, work);
    }

    /** Opens a connection whose search path is {@code schema} and wraps it as a Liquibase database. */
    Database open(String schema, Connection connection) throws DatabaseException, SQLException {
        Sql.exec(connection, "SET search_path TO " + Sql.ident(schema));
        try {
            // A migrator killed mid-statement must not leave its backend running the statement on.
            Sql.exec(connection, "SET client_connection_check_interval = '1s'");
        } catch (SQLException olderThan14) {
            // not available before PostgreSQL 14; the session then ends when its statement does
        }
        Database db = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
        db.setDefaultSchemaName(schema);
        db.setLiquibaseSchemaName(schema);
        return db;
    }

    DatabaseChangeLog parse(Database db) throws Exception {
        return inScope(() -> ChangeLogParserFactory.getInstance().getParser(changelog, resources)
                .parse(changelog, db == null ? new ChangeLogParameters() : new ChangeLogParameters(db), resources));
    }

    /** Told before each changeset runs or is rolled back, for progress reports. */
    @FunctionalInterface
    interface StepListener {
        /** No progress reports. */
        StepListener NONE = changeSet -> { };

        /** @param changeSet {@code id (author)} of the changeset about to run or be rolled back */
        void next(String changeSet);
    }

    /** Sets a Liquibase command's own arguments. */
    @FunctionalInterface
    private interface Arguments {
        void set(CommandScope cmd);
    }

    /** Applies pending changesets into {@code schema}; the caller holds the migration lock if needed. */
    Outcome update(String schema, String contexts) throws SQLException {
        return update(schema, contexts, StepListener.NONE);
    }

    /** Applies pending changesets into {@code schema}, reporting each before it runs. */
    Outcome update(String schema, String contexts, StepListener steps) throws SQLException {
        return command(schema, UpdateCommandStep.COMMAND_NAME, steps, null, cmd -> {
            cmd.addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, changelog);
            if (contexts != null) {
                cmd.addArgumentValue(UpdateCommandStep.CONTEXTS_ARG, contexts);
            }
        });
    }

    /** Rolls back the last {@code count} applied changesets, newest first, with their rollback blocks. */
    Outcome rollbackCount(String schema, String contexts, int count, StepListener steps) throws SQLException {
        return command(schema, RollbackCountCommandStep.COMMAND_NAME, steps, null, cmd -> {
            changelogArguments(cmd, contexts);
            cmd.addArgumentValue(RollbackCountCommandStep.COUNT_ARG, count);
        });
    }

    /** Rolls back every changeset applied after {@code tag}. */
    Outcome rollbackToTag(String schema, String contexts, String tag, StepListener steps) throws SQLException {
        return command(schema, RollbackCommandStep.COMMAND_NAME, steps, null, cmd -> {
            changelogArguments(cmd, contexts);
            cmd.addArgumentValue(RollbackCommandStep.TAG_ARG, tag);
        });
    }

    /** Records every pending changeset as applied without running it (a baseline). */
    Outcome changelogSync(String schema, String contexts) throws SQLException {
        return command(schema, ChangelogSyncCommandStep.COMMAND_NAME, StepListener.NONE, null,
                cmd -> changelogArguments(cmd, contexts));
    }

    /** The changelog and, if any, the contexts, as the commands built on the changelog step take them. */
    private void changelogArguments(CommandScope cmd, String contexts) {
        cmd.addArgumentValue(DatabaseChangelogCommandStep.CHANGELOG_FILE_ARG, changelog);
        if (contexts != null) {
            cmd.addArgumentValue(DatabaseChangelogCommandStep.CONTEXTS_ARG, contexts);
        }
    }

    /** Clears every stored checksum; the next update records the current ones. */
    Outcome clearChecksums(String schema) throws SQLException {
        return command(schema, ClearChecksumsCommandStep.COMMAND_NAME, StepListener.NONE, null, cmd -> { });
    }

    /** The SQL an update would run, executing nothing. */
    String updateSql(String schema, String contexts) throws SQLException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Outcome o = command(schema, UpdateSqlCommandStep.COMMAND_NAME, StepListener.NONE, out, cmd -> {
            cmd.addArgumentValue(UpdateSqlCommandStep.CHANGELOG_FILE_ARG, changelog);
            if (contexts != null) {
                cmd.addArgumentValue(UpdateSqlCommandStep.CONTEXTS_ARG, contexts);
            }
        });
        if (!o.ok()) {
            throw new SQLException("cannot generate the update SQL: " + o.failure().describe());
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private Outcome command(String schema, String[] name, StepListener steps, OutputStream output, Arguments arguments)
            throws SQLException {
        Connection c = coordinates.openLongRunning("migrate");
        Timing timing = new Timing(steps);
        try {
            Database db = open(schema, c);
            try {
                inScope(() -> {
                    CommandScope cmd = new CommandScope(name);
                    cmd.addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, db);
                    arguments.set(cmd);
                    cmd.addArgumentValue(ChangeExecListenerCommandStep.CHANGE_EXEC_LISTENER_ARG, timing);
                    cmd.setOutput(output == null ? OutputStream.nullOutputStream() : output);
                    return cmd.execute();
                });
                return new Outcome(timing.ran, null);
            } catch (Exception e) {
                Failure f = timing.failure != null ? timing.failure : new Failure(null, Sql.describe(e));
                return new Outcome(timing.ran, f);
            } finally {
                closeQuietly(db);
            }
        } catch (DatabaseException e) {
            throw new SQLException(Sql.describe(e), e);
        } finally {
            c.close();
        }
    }

    private static void closeQuietly(Database db) {
        try {
            db.close();
        } catch (DatabaseException ignored) {
            // the connection is closed by the caller anyway
        }
    }

    /** Records each changeset's time and the first failure. */
    private static final class Timing extends AbstractChangeExecListener {
        final List<Ran> ran = new ArrayList<>();
        final Map<ChangeSet, Long> started = new HashMap<>();
        final StepListener steps;
        Failure failure;

        Timing() {
            this(StepListener.NONE);
        }

        Timing(StepListener steps) {
            this.steps = steps;
        }

        @Override
        public void willRun(ChangeSet cs, DatabaseChangeLog log, Database db, ChangeSet.RunStatus status) {
            steps.next(cs.getId() + " (" + cs.getAuthor() + ")");
            started.put(cs, System.nanoTime());
        }

        @Override
        public void willRollback(ChangeSet cs, DatabaseChangeLog log, Database db) {
            steps.next(cs.getId() + " (" + cs.getAuthor() + ")");
            started.put(cs, System.nanoTime());
        }

        @Override
        public void rolledBack(ChangeSet cs, DatabaseChangeLog log, Database db) {
            Long t0 = started.remove(cs);
            long ms = t0 == null ? 0 : (System.nanoTime() - t0) / 1_000_000;
            ran.add(new Ran(cs.getId(), cs.getAuthor(), cs.getFilePath(), ms, "ROLLED_BACK"));
        }

        @Override
        public void rollbackFailed(ChangeSet cs, DatabaseChangeLog log, Database db, Exception e) {
            if (failure == null) {
                failure = new Failure(cs.getId() + " (" + cs.getAuthor() + ")", "rollback failed: " + Sql.describe(e));
            }
        }

        @Override
        public void ran(ChangeSet cs, DatabaseChangeLog log, Database db, ChangeSet.ExecType type) {
            Long t0 = started.remove(cs);
            long ms = t0 == null ? 0 : (System.nanoTime() - t0) / 1_000_000;
            ran.add(new Ran(cs.getId(), cs.getAuthor(), cs.getFilePath(), ms, String.valueOf(type)));
        }

        @Override
        public void runFailed(ChangeSet cs, DatabaseChangeLog log, Database db, Exception e) {
            if (failure == null) {
                failure = new Failure(cs.getId() + " (" + cs.getAuthor() + ")", Sql.describe(e));
            }
        }
    }

    // ---------------------------------------------------------------- status

    /** One row of DATABASECHANGELOG. */
    record Applied(String id, String author, String file, String md5, String executedAt, String execType) {
        String key() { return key(id, author, file); }

        static String key(String id, String author, String file) {
            return id + "::" + author + "::" + normalize(file);
        }
    }

    /** What the changelog and the database say about each changeset. */
    record Status(List<Applied> applied, List<ChangeSet> pending, List<String> mismatches,
                  List<Applied> unknown, List<ChangeSet> all, DatabaseChangeLog log) {
    }

    static String normalize(String path) {
        String p = path.replace('\\', '/');
        if (p.startsWith("classpath:")) {
            p = p.substring("classpath:".length());
        }
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p;
    }

    static List<Applied> applied(Connection c, String schema) throws SQLException {
        List<Applied> out = new ArrayList<>();
        if (!Sql.tableExists(c, schema, "databasechangelog")) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id, author, filename, md5sum, dateexecuted::text, exectype"
                + " FROM " + Sql.ident(schema) + ".databasechangelog ORDER BY orderexecuted, dateexecuted");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Applied(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6)));
            }
        }
        return out;
    }

    /**
     * Compares the parsed changelog with DATABASECHANGELOG without touching Liquibase's lock, so it
     * answers even while a migration runs.
     */
    Status status(String schema, String contexts) throws Exception {
        try (Connection c = coordinates.open("ops")) {
            List<Applied> applied = applied(c, schema);
            Database db = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
            DatabaseChangeLog log = parse(db);
            Map<String, Applied> byKey = new LinkedHashMap<>();
            for (Applied a : applied) {
                byKey.put(a.key(), a);
            }
            ContextChangeSetFilter contextFilter = new ContextChangeSetFilter(new Contexts(contexts));
            DbmsChangeSetFilter dbmsFilter = new DbmsChangeSetFilter(db);
            List<ChangeSet> pending = new ArrayList<>();
            List<String> mismatches = new ArrayList<>();
            inScope(() -> {
                for (ChangeSet cs : log.getChangeSets()) {
                    Applied a = byKey.remove(Applied.key(cs.getId(), cs.getAuthor(), cs.getFilePath()));
                    boolean selected = contextFilter.accepts(cs).isAccepted() && dbmsFilter.accepts(cs).isAccepted();
                    if (a == null) {
                        if (selected) {
                            pending.add(cs);
                        }
                        continue;
                    }
                    boolean valid = a.md5() == null || cs.isCheckSumValid(CheckSum.parse(a.md5()));
                    if (cs.shouldAlwaysRun() || (!valid && cs.shouldRunOnChange())) {
                        if (selected) {
                            pending.add(cs);
                        }
                    } else if (!valid) {
                        mismatches.add("changeset " + cs.getId() + " (" + cs.getAuthor() + ") in " + cs.getFilePath()
                                + " was changed after it was applied on " + a.executedAt() + ": stored checksum "
                                + a.md5() + ", changelog now has " + cs.generateCheckSum(liquibase.ChecksumVersion.latest()));
                    }
                }
                return null;
            });
            return new Status(applied, pending, mismatches, new ArrayList<>(byKey.values()), log.getChangeSets(), log);
        }
    }

    // ---------------------------------------------------------------- dry run

    /**
     * Runs the given changesets on one connection inside one transaction that is always rolled
     * back: PostgreSQL DDL is transactional, so the database is left as it was. Liquibase's own
     * commits are suppressed by a connection proxy, and no DATABASECHANGELOG or lock rows are
     * written because changesets are executed directly rather than through an update.
     */
    Outcome dryRun(String schema, List<ChangeSet> changeSets, DatabaseChangeLog log, List<String> warnings,
            StepListener steps) throws Exception {
        try (Connection real = coordinates.open("validate")) {
            real.setAutoCommit(false);
            try {
                if (!Sql.schemaExists(real, schema)) {
                    Sql.exec(real, "CREATE SCHEMA " + Sql.ident(schema));
                }
                Database db = open(schema, uncommitting(real));
                Timing timing = new Timing(steps);
                for (ChangeSet cs : changeSets) {
                    if (!cs.isRunInTransaction()) {
                        warnings.add("changeset " + cs.getId() + " (" + cs.getAuthor()
                                + ") has runInTransaction=false and cannot be dry-run; not checked");
                        continue;
                    }
                    try {
                        timing.willRun(cs, log, db, ChangeSet.RunStatus.NOT_RAN);
                        ChangeSet.ExecType type = inScope(() -> cs.execute(log, timing, db));
                        if (type == ChangeSet.ExecType.FAILED && timing.failure == null) {
                            timing.failure = new Failure(cs.getId() + " (" + cs.getAuthor() + ")", "failed");
                        }
                        if (timing.failure != null) {
                            break;
                        }
                        timing.ran(cs, log, db, type);
                    } catch (Exception e) {
                        return new Outcome(timing.ran, timing.failure != null ? timing.failure
                                : new Failure(cs.getId() + " (" + cs.getAuthor() + ")", Sql.describe(e)));
                    }
                }
                return new Outcome(timing.ran, timing.failure);
            } finally {
                real.rollback();
            }
        }
    }

    /** A view of {@code c} on which commit, rollback, autocommit changes and close do nothing. */
    private static Connection uncommitting(Connection c) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "commit", "rollback", "close", "releaseSavepoint":
                            if (args == null || args.length == 0) {
                                return null;
                            }
                            break;
                        case "setAutoCommit":
                            return null;
                        case "getAutoCommit":
                            return Boolean.FALSE;
                        default:
                            break;
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    // ---------------------------------------------------------------- digest

    /** Every changelog file behind the parsed changelog: the master, includes, and their parents. */
    static List<String> files(DatabaseChangeLog log) {
        TreeSet<String> files = new TreeSet<>();
        files.add(normalize(log.getPhysicalFilePath()));
        for (ChangeSet cs : log.getChangeSets()) {
            for (DatabaseChangeLog l = cs.getChangeLog(); l != null; l = l.getParentChangeLog()) {
                if (l.getPhysicalFilePath() != null) {
                    files.add(normalize(l.getPhysicalFilePath()));
                }
            }
        }
        return new ArrayList<>(files);
    }

    /**
     * SHA-256 over the target schema, the configured master changelog's path and the contents of
     * the master and {@code files}; a missing file makes it unique.
     */
    String digest(String schema, List<String> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(("schema=" + schema + "\nchangelog=" + normalize(changelog) + "\n").getBytes(StandardCharsets.UTF_8));
            TreeSet<String> all = new TreeSet<>(files);
            // The configured master is always hashed: pointing at another changelog must not look unchanged.
            all.add(normalize(changelog));
            for (String f : all) {
                md.update(("file=" + f + "\n").getBytes(StandardCharsets.UTF_8));
                try (InputStream in = classLoader.getResourceAsStream(f)) {
                    if (in == null) {
                        md.update(("missing:" + System.nanoTime()).getBytes(StandardCharsets.UTF_8));
                    } else {
                        md.update(in.readAllBytes());
                    }
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("cannot digest changelog files: " + e.getMessage(), e);
        }
    }
}
