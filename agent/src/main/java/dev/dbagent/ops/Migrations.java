package dev.dbagent.ops;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import liquibase.changelog.ChangeSet;

/**
 * The migration seam of {@link Operations}: init, migrate (also on start, with its digest fast
 * path), status and the cheap probe the health monitor uses. Every migration takes the advisory
 * migration lock on a connection of its own, so instances of the application coordinate.
 */
final class Migrations extends OpsPart {
    Migrations(OpsPart shared) {
        super(shared);
    }

    OperationResult init() throws Exception {
        OperationResult.Builder r = new OperationResult.Builder("init");
        boolean createdDb = r.timed("database " + coordinates.database(), this::createDatabaseIfMissing)
                .startsWith("created");
        ensureAgentSchema(r);
        Migrator.Outcome o = migrateLocked(r, initContexts(), false);
        if (!o.ok()) {
            return r.done(false, o.failure().describe());
        }
        if (!createdDb && o.ran().isEmpty() && !r.steps().stream().anyMatch(s -> s.detail().equals("created"))) {
            return r.done(true, "already initialised, 0 changesets");
        }
        return r.done(true, "initialised " + targetSchema + ": " + count(o.ran().size()) + " applied");
    }

    OperationResult migrate() throws Exception {
        return migrateFull("migrate");
    }


    /**
     * What the health monitor needs to know about migrations, without Liquibase and on a
     * connection the caller lends (a pooled one, so that 50 instances probing every interval do
     * not log in 50 times an interval): which changesets of this version the database lacks
     * ("pending"), which changesets the database has that this version does not know ("ahead":
     * a newer version migrated it during a rolling deploy), and who holds the migration lock. The
     * changelog is parsed once; DATABASECHANGELOG is read in full only when its row count or
     * last {@code orderexecuted} changed since the previous probe. Not audited: it changes nothing.
     *
     * @param c an open connection to the database; not closed here
     * @return the probe's findings; never throws (an unreachable database is a finding)
     */
    Operations.MigrationProbe probeMigrations(Connection c) {
        try {
            Optional<AgentSchema.State> state = Sql.tableExists(c, AgentSchema.SCHEMA, "migration_state")
                    ? AgentSchema.state(c, targetSchema) : Optional.empty();
            Set<String> applied = appliedKeys(c);
            Set<String> known = migrator.changeSetKeys(migrateContexts());
            Set<String> all = migrator.changeSetKeys(null);
            List<String> pending = known.stream().filter(k -> !applied.contains(k)).map(Migrations::describeKey).toList();
            List<String> ahead = applied.stream().filter(k -> !all.contains(k))
                    .map(Migrations::describeKey).toList();
            boolean everMigrated = state.isPresent() || !applied.isEmpty();
            List<String> holders = MigrationLock.holders(c, targetSchema).stream()
                    .filter(MigrationLock.Holder::granted).map(MigrationLock.Holder::describe).toList();
            Optional<String> liquibaseLock = MigrationLock.liquibaseLock(c, targetSchema)
                    .map(MigrationLock.LiquibaseLock::describe);
            // a Liquibase lock row with no live advisory-lock holder is left by a killed migrator
            boolean stale = liquibaseLock.isPresent() && holders.isEmpty();
            return new Operations.MigrationProbe(true, everMigrated && pending.isEmpty(), everMigrated, holders,
                    liquibaseLock, stale, "", pending, ahead);
        } catch (Exception e) {
            return new Operations.MigrationProbe(false, false, false, List.of(), Optional.empty(), false,
                    e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""),
                    List.of(), List.of());
        }
    }

    /** As {@link #probeMigrations(Connection)} on a connection of its own. */
    Operations.MigrationProbe probeMigrations() {
        try (Connection c = coordinates.open("health")) {
            return probeMigrations(c);
        } catch (SQLException | RuntimeException e) {
            return new Operations.MigrationProbe(false, false, false, List.of(), Optional.empty(), false,
                    e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""),
                    List.of(), List.of());
        }
    }

    private record AppliedSnapshot(long rows, long lastOrder, Set<String> keys) {}

    private volatile AppliedSnapshot appliedSnapshot;

    private Set<String> appliedKeys(Connection c) throws SQLException {
        if (!Sql.tableExists(c, targetSchema, "databasechangelog")) {
            return Set.of();
        }
        String table = Sql.ident(targetSchema) + ".databasechangelog";
        long rows;
        long lastOrder;
        try (java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*), coalesce(max(orderexecuted), 0) FROM " + table)) {
            rs.next();
            rows = rs.getLong(1);
            lastOrder = rs.getLong(2);
        }
        AppliedSnapshot last = appliedSnapshot;
        if (last != null && last.rows() == rows && last.lastOrder() == lastOrder) {
            return last.keys();
        }
        Set<String> keys = new java.util.HashSet<>();
        try (java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT id, author, filename FROM " + table)) {
            while (rs.next()) {
                keys.add(Migrator.Applied.key(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
        }
        Set<String> frozen = Set.copyOf(keys);
        appliedSnapshot = new AppliedSnapshot(rows, lastOrder, frozen);
        return frozen;
    }

    /** {@code id (author) in file} from an {@code id::author::file} key. */
    static String describeKey(String key) {
        String[] p = key.split("::", 3);
        return p.length < 3 ? key : p[0] + " (" + p[1] + ") in " + p[2];
    }


    /** @return true if the changelog files recorded at the last migration still have its digest */
    boolean unchangedSince(AgentSchema.State state) {
        return migrator.digest(targetSchema, Arrays.asList(state.files().split("\n"))).equals(state.digest());
    }


    OperationResult migrateFull(String op) throws Exception {
        return migrateFull(new OperationResult.Builder(op));
    }


    OperationResult migrateFull(OperationResult.Builder r) throws Exception {
        ensureAgentSchema(r);
        Migrator.Outcome o = migrateLocked(r, migrateContexts(), false);
        if (!o.ok()) {
            return r.done(false, o.failure().describe());
        }
        return r.done(true, o.ran().isEmpty() ? "up to date, 0 changesets" : count(o.ran().size()) + " applied");
    }


    String createDatabaseIfMissing() throws SQLException {
        try (Connection c = coordinates.openMaintenance()) {
            if (Sql.exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", coordinates.database())) {
                return "exists";
            }
            try {
                Sql.exec(c, "CREATE DATABASE " + Sql.ident(coordinates.database()));
            } catch (SQLException e) {
                if (!"42P04".equals(e.getSQLState())) {
                    throw e;
                }
                return "exists";
            }
            return "created";
        }
    }


    /** Takes the lock, prepares the schema, runs Liquibase and stores the digest on success. */
    Migrator.Outcome migrateLocked(OperationResult.Builder r, String contexts, boolean dropFirst) throws Exception {
        return locked(r, dropFirst, () -> progress.track(r.operation(), 0, run -> {
            run.total(migrator.status(targetSchema, contexts).pending().size());
            return migrator.update(targetSchema, contexts, run);
        }), Digest.STORE);
    }

    /** What a locked piece of Liquibase work means for the stored changelog digest. */
    enum Digest {
        /** The schema now matches the changelog: store the digest (start-up can skip Liquibase). */
        STORE,
        /** The schema no longer matches the changelog: forget the digest (migrate is pending). */
        CLEAR,
        /** Checksums only: leave it. */
        KEEP
    }

    /** Liquibase work that runs under the migration lock. */
    @FunctionalInterface
    interface LockedWork {
        Migrator.Outcome run() throws Exception;
    }

    /**
     * Takes the advisory migration lock (waiting up to the lock timeout), prepares the target
     * schema (dropping it first for a reset), clears a stale Liquibase lock row, runs the work and
     * keeps the changelog digest in step with what the work did.
     */
    Migrator.Outcome locked(OperationResult.Builder r, boolean dropFirst, LockedWork work, Digest digest)
            throws Exception {
        long t0 = System.nanoTime();
        MigrationLock lock;
        try {
            lock = MigrationLock.acquire(coordinates, targetSchema, lockTimeout);
        } catch (SQLException e) {
            if ("55P03".equals(e.getSQLState())) {
                return new Migrator.Outcome(List.of(), new Migrator.Failure(null, "migration lock not obtained within "
                        + lockTimeout.toMillis() + " ms; held by " + holdersText()));
            }
            throw e;
        }
        try (lock) {
            r.step("migration lock", (System.nanoTime() - t0) / 1_000_000, "acquired");
            r.timed("schema " + targetSchema, () -> {
                try (Connection c = coordinates.open("ops")) {
                    String detail = "exists";
                    // DROP SCHEMA waits for every session using its tables; do not wait forever.
                    Sql.exec(c, "SET lock_timeout = " + Math.max(1, lockTimeout.toMillis()));
                    if (dropFirst) {
                        Sql.exec(c, "DROP SCHEMA IF EXISTS " + Sql.ident(targetSchema) + " CASCADE");
                        AgentSchema.clearState(c, targetSchema);
                        detail = "dropped and re-created";
                    }
                    if (!Sql.schemaExists(c, targetSchema)) {
                        Sql.exec(c, "CREATE SCHEMA " + Sql.ident(targetSchema));
                        detail = dropFirst ? detail : "created";
                    }
                    MigrationLock.clearLiquibaseLock(c, targetSchema).ifPresent(stale -> r.warn("cleared a stale "
                            + stale.describe() + " (its migrator is gone: nobody held the migration lock)"));
                    return detail;
                }
            });
            Migrator.Outcome o = work.run();
            for (Migrator.Ran ran : o.ran()) {
                r.step(ran.name(), ran.millis(), ran.execType() + " " + ran.file());
            }
            if (digest == Digest.CLEAR || (digest == Digest.STORE && !o.ok())) {
                try (Connection c = coordinates.open("ops")) {
                    AgentSchema.clearState(c, targetSchema);
                }
            } else if (digest == Digest.STORE) {
                storeDigest();
            }
            return o;
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** Rolls back the newest {@code count} changesets (their rollback blocks), under the lock. */
    OperationResult rollback(int count) throws Exception {
        return rollback(count, run -> migrator.rollbackCount(targetSchema, null, count, run), "");
    }

    /** Rolls back every changeset applied after {@code tag}, under the lock. */
    OperationResult rollbackToTag(String tag) throws Exception {
        return rollback(0, run -> migrator.rollbackToTag(targetSchema, null, tag, run), " to tag " + tag);
    }

    private OperationResult rollback(int total, ProgressTracker.Work<Migrator.Outcome> work, String what)
            throws Exception {
        OperationResult.Builder r = new OperationResult.Builder("rollback");
        Migrator.Outcome o = locked(r, false, () -> progress.track("rollback", total, work), Digest.CLEAR);
        if (!o.ok()) {
            return r.done(false, o.failure().describe());
        }
        return r.done(true, count(o.ran().size()) + " rolled back" + what);
    }

    /** The SQL that migrate would run now; nothing is executed and no lock is taken. */
    OperationResult preview() throws Exception {
        OperationResult.Builder r = new OperationResult.Builder("preview");
        Migrator.Status s = migrator.status(targetSchema, migrateContexts());
        if (s.pending().isEmpty()) {
            return r.done(true, "up to date: migrate would run nothing");
        }
        for (var cs : s.pending()) {
            r.step("pending " + cs.getId() + " (" + cs.getAuthor() + ")", 0, cs.getFilePath());
        }
        long t0 = System.nanoTime();
        String sql = migrator.updateSql(targetSchema, migrateContexts()).strip();
        r.step("generate SQL", (System.nanoTime() - t0) / 1_000_000, sql.lines().count() + " lines");
        r.step("sql", 0, sql);
        return r.done(true, count(s.pending().size()) + " pending; the SQL migrate would run is in the last step"
                + " (nothing executed)");
    }

    /** Records every pending changeset as applied without running it: a baseline for an existing schema. */
    OperationResult changelogSync() throws Exception {
        OperationResult.Builder r = new OperationResult.Builder("changelog-sync");
        int pending = migrator.status(targetSchema, migrateContexts()).pending().size();
        Migrator.Outcome o = locked(r, false, () -> migrator.changelogSync(targetSchema, migrateContexts()),
                Digest.STORE);
        if (!o.ok()) {
            return r.done(false, o.failure().describe());
        }
        return r.done(true, count(pending) + " recorded as applied without running them (baseline)");
    }

    /** Clears the stored checksums so the current changelog's are recorded: after an intentional edit. */
    OperationResult repairChecksums() throws Exception {
        OperationResult.Builder r = new OperationResult.Builder("repair-checksums");
        List<String> mismatches = migrator.status(targetSchema, migrateContexts()).mismatches();
        mismatches.forEach(m -> r.step("checksum", 0, m));
        Migrator.Outcome o = locked(r, false, () -> {
            Migrator.Outcome cleared = migrator.clearChecksums(targetSchema);
            // an update with nothing pending records the current checksums of every applied changeset
            return cleared.ok() ? migrator.update(targetSchema, migrateContexts()) : cleared;
        }, Digest.STORE);
        if (!o.ok()) {
            return r.done(false, o.failure().describe());
        }
        return r.done(true, mismatches.size() + " changed checksum" + (mismatches.size() == 1 ? "" : "s")
                + " repaired; every applied changeset now has its current checksum");
    }

    void storeDigest() throws Exception {
        List<String> files = Migrator.files(migrator.parse(null));
        try (Connection c = coordinates.open("ops")) {
            AgentSchema.storeState(c, targetSchema, migrator.digest(targetSchema, files), String.join("\n", files),
                    clock.instant());
        }
    }


    String holdersText() {
        try (Connection c = coordinates.open("ops")) {
            List<MigrationLock.Holder> holders = MigrationLock.holders(c, targetSchema);
            return holders.isEmpty() ? "nobody (released meanwhile)"
                    : String.join("; ", holders.stream().filter(MigrationLock.Holder::granted)
                            .map(MigrationLock.Holder::describe).toList());
        } catch (SQLException e) {
            return "unknown (" + Sql.describe(e) + ")";
        }
    }

    OperationResult status() throws Exception {
        OperationResult.Builder r = new OperationResult.Builder("status");
        Migrator.Status s = migrator.status(targetSchema, migrateContexts());
        String last = s.applied().isEmpty() ? "none" : s.applied().get(s.applied().size() - 1).id()
                + " at " + s.applied().get(s.applied().size() - 1).executedAt();
        r.step("applied", 0, s.applied().size() + " (last: " + last + ")");
        for (ChangeSet cs : s.pending()) {
            r.step("pending " + cs.getId() + " (" + cs.getAuthor() + ")", 0, cs.getFilePath());
        }
        if (!referenceContexts.isEmpty()) {
            long ref = migrator.status(targetSchema, initContexts()).pending().size() - s.pending().size();
            if (ref > 0) {
                r.warn(ref + " reference-data changeset" + (ref == 1 ? "" : "s") + " not loaded; init loads "
                        + (ref == 1 ? "it" : "them"));
            }
        }
        for (String m : s.mismatches()) {
            r.warn(m);
        }
        for (Migrator.Applied a : s.unknown()) {
            r.warn("applied changeset " + a.id() + " (" + a.author() + ") from " + a.file() + " is not in the changelog");
        }
        try (Connection c = coordinates.open("ops")) {
            List<MigrationLock.Holder> holders = MigrationLock.holders(c, targetSchema);
            Optional<MigrationLock.LiquibaseLock> lb = MigrationLock.liquibaseLock(c, targetSchema);
            r.step("migration lock", 0, holders.isEmpty() ? "free" : "held by " + String.join("; ",
                    holders.stream().map(MigrationLock.Holder::describe).toList()));
            lb.ifPresent(l -> {
                if (holders.stream().noneMatch(MigrationLock.Holder::granted)) {
                    r.warn("stale " + l.describe() + ": no migrator is running; releaseLock clears it");
                } else {
                    r.step("liquibase lock", 0, l.describe());
                }
            });
        }
        String summary = s.applied().size() + " applied, " + s.pending().size() + " pending"
                + (s.mismatches().isEmpty() ? "" : ", " + s.mismatches().size() + " checksum mismatch"
                + (s.mismatches().size() == 1 ? "" : "es"));
        return r.done(s.mismatches().isEmpty() && s.pending().isEmpty(), summary);
    }

    /**
     * When the stored digest equals the current one nothing can be pending and Liquibase is
     * skipped entirely (one query); otherwise a full migrate.
     */
    OperationResult migrateOnStart() throws Exception {
        OperationResult.Builder r = new OperationResult.Builder("migrate-on-start");
        long t0 = System.nanoTime();
        Optional<AgentSchema.State> state;
        try (Connection c = coordinates.open("ops")) {
            state = AgentSchema.state(c, targetSchema);
        } catch (SQLException e) {
            state = Optional.empty();
        }
        if (state.isPresent() && unchangedSince(state.get())) {
            r.step("digest check", (System.nanoTime() - t0) / 1_000_000, "changelog unchanged since last migration");
            return r.done(true, "up to date (changelog digest unchanged), Liquibase skipped");
        }
        r.step("digest check", (System.nanoTime() - t0) / 1_000_000,
                state.isPresent() ? "changelog changed" : "no digest stored");
        return migrateFull(r);
    }
}
