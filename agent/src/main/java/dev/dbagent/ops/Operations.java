package dev.dbagent.ops;

import dev.dbagent.DbAgentException;
import dev.dbagent.OperationRefusedException;
import dev.dbagent.Catalogue;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import liquibase.changelog.ChangeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The canonical database operations: init, migrate, status, validate, verify, drift, reset,
 * release-lock, profile and health, each returning an {@link OperationResult} and each audited
 * (who, what, arguments with secrets masked, result, duration) to the log, to the table
 * {@code dbagent.audit_log} and to {@link AuditListener}s.
 *
 * <p>Operations open their own unpooled connections to the primary; they never borrow from the
 * application's pool. Migrations (migrate, init, reset) are serialised across threads, processes
 * and hosts by a PostgreSQL session-level advisory lock held on a dedicated connection, which the
 * server releases if the migrating process dies.
 *
 * <p>Thread-safe. Every operation blocks while it works (a migration waits up to the configured
 * lock timeout for another migration to finish). Operations report failures of the database work
 * itself in the result ({@code success() == false}) and throw {@link OperationRefusedException}
 * only when they refuse to start (reset in staging or production, a bad token, a live lock
 * holder without force).
 */
public final class Operations {
    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);
    private static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|token|credential).*");
    private static final Pattern NOT_UP = Pattern.compile("\\b(DOWN|DEGRADED)\\b");
    /** The runtime context migrate runs with: changesets without a context, but not reference data. */
    static final String MIGRATE_CONTEXT = "schema";

    private final Coordinates coordinates;
    private final String targetSchema;
    private final Migrator migrator;
    private final List<Class<?>> daoClasses;
    private final OperationsSettings settings;
    private final List<String> referenceContexts;
    private final Duration lockTimeout;
    private final Supplier<String> health;
    private final List<AuditListener> listeners;
    private final Map<String, Instant> resetTokens;
    private final String caller;
    private final SecureRandom random;

    private Operations(Builder b) {
        this.coordinates = new Coordinates(b.jdbcUrl, b.user, b.password);
        this.targetSchema = b.targetSchema;
        this.migrator = b.changelog == null ? null : new Migrator(coordinates, b.changelog, b.classLoader);
        this.daoClasses = List.copyOf(b.daoClasses);
        this.settings = b.settings;
        this.referenceContexts = b.referenceContexts;
        this.lockTimeout = b.lockTimeout;
        this.health = b.health;
        this.listeners = new CopyOnWriteArrayList<>(b.listeners);
        this.resetTokens = new ConcurrentHashMap<>();
        this.caller = "local";
        this.random = new SecureRandom();
    }

    private Operations(Operations o, String caller) {
        this.coordinates = o.coordinates;
        this.targetSchema = o.targetSchema;
        this.migrator = o.migrator;
        this.daoClasses = o.daoClasses;
        this.settings = o.settings;
        this.referenceContexts = o.referenceContexts;
        this.lockTimeout = o.lockTimeout;
        this.health = o.health;
        this.listeners = o.listeners;
        this.resetTokens = o.resetTokens;
        this.caller = caller;
        this.random = o.random;
    }

    /** @return a builder; jdbcUrl, user, targetSchema, changelog and settings are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A view of these operations that audits as {@code caller} (e.g. {@code jmx:operator}); it shares
     * everything else, including outstanding reset tokens. The default caller is {@code local}.
     *
     * @param caller the identity recorded in the audit log
     * @return a view bound to {@code caller}
     */
    public Operations as(String caller) {
        Objects.requireNonNull(caller, "caller");
        return new Operations(this, caller.isBlank() ? "local" : caller);
    }

    /** @return the caller identity this view audits as */
    public String caller() { return caller; }

    /** @return the schema the changelog is applied into */
    public String targetSchema() { return targetSchema; }

    /**
     * Adds a listener for audit events. Listeners run synchronously after each operation.
     *
     * @param listener the listener
     */
    public void addAuditListener(AuditListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** @param listener a listener added before; unknown listeners are ignored */
    public void removeAuditListener(AuditListener listener) {
        listeners.remove(listener);
    }

    private String initContexts() {
        return referenceContexts.isEmpty() ? null : MIGRATE_CONTEXT + "," + String.join(",", referenceContexts);
    }

    private String migrateContexts() {
        return referenceContexts.isEmpty() ? null : MIGRATE_CONTEXT;
    }

    // ------------------------------------------------------------------ init / migrate

    /**
     * Creates the database if missing (through the server's {@code postgres} database), the
     * agent's schema {@code dbagent}, the target schema, applies every changeset and loads the
     * reference data. Idempotent: a second run applies nothing and says "already initialised".
     *
     * @return the steps, each changeset applied with its time
     */
    public OperationResult init() {
        return audited("init", Map.of(), () -> {
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
        });
    }

    /**
     * Applies pending changesets (reference data excluded), reporting each with its time. Waits
     * for another migration of the same schema to finish (up to the lock timeout).
     *
     * @return success with the changesets applied, or failure naming the changeset and the SQL error
     */
    public OperationResult migrate() {
        return audited("migrate", Map.of(), () -> migrateFull("migrate"));
    }

    /**
     * What the health monitor needs to know about migrations, in two cheap queries and without
     * Liquibase: whether the changelog digest matches the one stored at the last successful
     * migration (a mismatch means changesets are pending), and who holds the migration lock.
     * Not audited: it changes nothing.
     *
     * @return the probe's findings; never throws (an unreachable database is a finding)
     */
    public MigrationProbe probeMigrations() {
        try (Connection c = coordinates.open("dbagent-health")) {
            Optional<AgentSchema.State> state = Sql.tableExists(c, AgentSchema.SCHEMA, "migration_state")
                    ? AgentSchema.state(c, targetSchema) : Optional.empty();
            boolean upToDate = state.isPresent() && unchangedSince(state.get());
            List<String> holders = MigrationLock.holders(c, targetSchema).stream()
                    .filter(MigrationLock.Holder::granted).map(MigrationLock.Holder::describe).toList();
            Optional<String> liquibaseLock = MigrationLock.liquibaseLock(c, targetSchema)
                    .map(MigrationLock.LiquibaseLock::describe);
            // a Liquibase lock row with no live advisory-lock holder is left by a killed migrator
            boolean stale = liquibaseLock.isPresent() && holders.isEmpty();
            return new MigrationProbe(true, upToDate, state.isPresent(), holders, liquibaseLock, stale, "");
        } catch (SQLException | RuntimeException e) {
            return new MigrationProbe(false, false, false, List.of(), Optional.empty(), false,
                    e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
    }

    /** @return true if the changelog files recorded at the last migration still have its digest */
    private boolean unchangedSince(AgentSchema.State state) {
        return migrator.digest(targetSchema, Arrays.asList(state.files().split("\n"))).equals(state.digest());
    }

    /**
     * The findings of {@link #probeMigrations()}.
     *
     * @param reachable whether the database answered
     * @param upToDate the changelog digest matches the last successful migration
     * @param everMigrated a successful migration was ever recorded
     * @param lockHolders live sessions holding the migration (advisory) lock, described
     * @param liquibaseLock Liquibase's own lock row, if set
     * @param staleLock Liquibase's lock is set but no live session holds the migration lock
     * @param error why the database could not be asked, empty if it could
     */
    public record MigrationProbe(boolean reachable, boolean upToDate, boolean everMigrated, List<String> lockHolders,
                                 Optional<String> liquibaseLock, boolean staleLock, String error) {
        /** Copies the list. */
        public MigrationProbe {
            lockHolders = List.copyOf(lockHolders);
        }
    }

    /**
     * The start-up migration: when the stored digest (SHA-256 of the changelog files and the target
     * schema) equals the current one, nothing can be pending and Liquibase is skipped entirely -
     * one query. Otherwise a full {@link #migrate()}.
     *
     * @return what was done
     * @throws DbAgentException if the migration failed (start-up should not go on)
     */
    public OperationResult migrateOnStart() {
        OperationResult result = audited("migrate-on-start", Map.of(), () -> {
            OperationResult.Builder r = new OperationResult.Builder("migrate-on-start");
            long t0 = System.nanoTime();
            Optional<AgentSchema.State> state;
            try (Connection c = coordinates.open("dbagent-ops")) {
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
        });
        if (!result.success()) {
            throw new DbAgentException("migration on start failed for schema " + targetSchema + ": " + result.summary());
        }
        return result;
    }

    private OperationResult migrateFull(String op) throws Exception {
        return migrateFull(new OperationResult.Builder(op));
    }

    private OperationResult migrateFull(OperationResult.Builder r) throws Exception {
        ensureAgentSchema(r);
        Migrator.Outcome o = migrateLocked(r, migrateContexts(), false);
        if (!o.ok()) {
            return r.done(false, o.failure().describe());
        }
        return r.done(true, o.ran().isEmpty() ? "up to date, 0 changesets" : count(o.ran().size()) + " applied");
    }

    private void ensureAgentSchema(OperationResult.Builder r) throws SQLException {
        r.timed("schema " + AgentSchema.SCHEMA, () -> {
            try (Connection c = coordinates.open("dbagent-ops")) {
                boolean existed = Sql.schemaExists(c, AgentSchema.SCHEMA);
                AgentSchema.ensure(c);
                return existed ? "exists" : "created";
            }
        });
    }

    private String createDatabaseIfMissing() throws SQLException {
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
    private Migrator.Outcome migrateLocked(OperationResult.Builder r, String contexts, boolean dropFirst) throws Exception {
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
                try (Connection c = coordinates.open("dbagent-ops")) {
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
            Migrator.Outcome o = migrator.update(targetSchema, contexts);
            for (Migrator.Ran ran : o.ran()) {
                r.step(ran.name(), ran.millis(), ran.execType() + " " + ran.file());
            }
            if (o.ok()) {
                storeDigest();
            }
            return o;
        }
    }

    private void storeDigest() throws Exception {
        List<String> files = Migrator.files(migrator.parse(null));
        try (Connection c = coordinates.open("dbagent-ops")) {
            AgentSchema.storeState(c, targetSchema, migrator.digest(targetSchema, files), String.join("\n", files),
                    settings.clock().instant());
        }
    }

    private String holdersText() {
        try (Connection c = coordinates.open("dbagent-ops")) {
            List<MigrationLock.Holder> holders = MigrationLock.holders(c, targetSchema);
            return holders.isEmpty() ? "nobody (released meanwhile)"
                    : String.join("; ", holders.stream().filter(MigrationLock.Holder::granted)
                            .map(MigrationLock.Holder::describe).toList());
        } catch (SQLException e) {
            return "unknown (" + Sql.describe(e) + ")";
        }
    }

    // ------------------------------------------------------------------ status / validate

    /**
     * Lists applied and pending changesets, checksum mismatches, and the migration lock with its
     * holder. Reads only; does not wait for a running migration.
     *
     * @return success if everything is applied: false when a changeset is pending or a checksum changed
     */
    public OperationResult status() {
        return audited("status", Map.of(), () -> {
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
            try (Connection c = coordinates.open("dbagent-ops")) {
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
        });
    }

    /**
     * Checks that the changelog parses, that applied changesets still have their checksums, and
     * dry-runs every pending changeset inside a transaction that is rolled back - the database is
     * left unchanged. Reports the first failure with the changeset and the SQL error.
     *
     * @return success if every pending changeset would apply
     */
    public OperationResult validate() {
        return audited("validate", Map.of(), () -> {
            OperationResult.Builder r = new OperationResult.Builder("validate");
            Migrator.Status s;
            long t0 = System.nanoTime();
            try {
                s = migrator.status(targetSchema, initContexts());
            } catch (Exception e) {
                r.step("parse changelog", (System.nanoTime() - t0) / 1_000_000, "failed");
                return r.done(false, "changelog " + migrator.changelog() + " does not parse: " + Sql.describe(e));
            }
            r.step("parse changelog", (System.nanoTime() - t0) / 1_000_000, s.all().size() + " changesets in "
                    + Migrator.files(s.log()).size() + " files");
            r.step("checksums", 0, s.applied().size() + " applied, " + s.mismatches().size() + " changed");
            if (!s.mismatches().isEmpty()) {
                s.mismatches().forEach(r::warn);
                return r.done(false, s.mismatches().get(0));
            }
            List<String> warnings = new ArrayList<>();
            Migrator.Outcome o = migrator.dryRun(targetSchema, s.pending(), s.log(), warnings);
            warnings.forEach(r::warn);
            for (Migrator.Ran ran : o.ran()) {
                r.step("dry run " + ran.name(), ran.millis(), "ok (rolled back)");
            }
            if (!o.ok()) {
                return r.done(false, o.failure().describe() + " (dry run rolled back; database unchanged)");
            }
            return r.done(true, "changelog valid: " + s.pending().size() + " pending changeset"
                    + (s.pending().size() == 1 ? "" : "s") + " dry-run and rolled back");
        });
    }

    // ------------------------------------------------------------------ verify / drift / profile

    /**
     * Has the live database parse and plan (never execute) every SQL statement of every DAO
     * method in the catalogue.
     *
     * @return success if all planned; otherwise each failure names the DAO method and the error
     */
    public OperationResult verify() {
        return audited("verify", Map.of("daos", String.valueOf(daoClasses.size())), () -> {
            OperationResult.Builder r = new OperationResult.Builder("verify");
            List<String> warnings = new ArrayList<>();
            List<SqlVerifier.Statement> statements = SqlVerifier.statements(daoClasses, warnings);
            List<SqlVerifier.Check> checks;
            try (Connection c = coordinates.openSimpleProtocol("dbagent-verify")) {
                checks = SqlVerifier.check(c, targetSchema, statements, warnings);
            }
            warnings.forEach(r::warn);
            List<String> failures = new ArrayList<>();
            for (SqlVerifier.Check ch : checks) {
                r.step(ch.statement().name(), ch.millis(), ch.error() == null ? "ok" : ch.error());
                if (ch.error() != null) {
                    failures.add(ch.statement().name() + ": " + ch.error());
                }
            }
            if (failures.isEmpty()) {
                return r.done(true, checks.size() + " statements of " + daoClasses.size() + " DAOs planned against "
                        + targetSchema);
            }
            return r.done(false, failures.size() + " of " + checks.size() + " statements fail against "
                    + targetSchema + "; first: " + failures.get(0));
        });
    }

    /**
     * Compares the live target schema with what the changelog produces: applies the changelog into
     * a throwaway schema {@code dbagent_drift_<random>} (with its own DATABASECHANGELOG), compares
     * tables, columns (type, nullability, default), indexes, constraints, triggers, views,
     * functions and types through pg_catalog, then drops the throwaway schema.
     *
     * @return success if there is no drift; otherwise one step per difference
     */
    public OperationResult drift() {
        return audited("drift", Map.of(), () -> {
            OperationResult.Builder r = new OperationResult.Builder("drift");
            String scratch = "dbagent_drift_" + randomHex(6);
            try {
                Migrator.Outcome o = buildScratch(r, scratch, migrateContexts());
                if (!o.ok()) {
                    return r.done(false, "the changelog does not apply to an empty schema: " + o.failure().describe());
                }
                Map<String, String> expected;
                Map<String, String> live;
                try (Connection c = coordinates.open("dbagent-ops")) {
                    long t0 = System.nanoTime();
                    expected = Catalog.read(c, scratch);
                    live = Catalog.read(c, targetSchema);
                    r.step("compare catalogues", (System.nanoTime() - t0) / 1_000_000, expected.size()
                            + " objects from the changelog, " + live.size() + " live");
                }
                List<String> diffs = Catalog.diff(expected, live);
                for (String d : diffs) {
                    r.step("drift", 0, d);
                }
                return r.done(diffs.isEmpty(), diffs.isEmpty()
                        ? "no drift: " + live.size() + " objects of " + targetSchema + " match the changelog"
                        : diffs.size() + " difference" + (diffs.size() == 1 ? "" : "s") + " between " + targetSchema
                        + " and the changelog");
            } finally {
                dropScratch(r, scratch);
            }
        });
    }

    /**
     * Applies the whole changelog into a throwaway schema and reports each changeset's time,
     * slowest first; then drops the schema. The live schema is not touched. Ends with a short
     * description of the database: server version, size, the target schema's largest tables,
     * connections by state and a few key settings.
     *
     * @return the changesets, slowest first, then the database description
     */
    public OperationResult profile() {
        return audited("profile", Map.of(), () -> {
            OperationResult.Builder r = new OperationResult.Builder("profile");
            String scratch = "dbagent_profile_" + randomHex(6);
            Migrator.Outcome o;
            try {
                o = buildScratch(null, scratch, initContexts());
            } finally {
                dropScratch(r, scratch);
            }
            List<Migrator.Ran> sorted = new ArrayList<>(o.ran());
            sorted.sort(Comparator.comparingLong(Migrator.Ran::millis).reversed());
            List<OperationResult.Step> steps = new ArrayList<>();
            for (Migrator.Ran ran : sorted) {
                steps.add(new OperationResult.Step(ran.name(), ran.millis(), ran.file()));
            }
            steps.addAll(r.steps());
            try (Connection c = coordinates.open("dbagent-ops")) {
                steps.addAll(DatabaseProfile.describe(c, targetSchema));
            }
            OperationResult done = o.ok() ? r.done(true, count(sorted.size()) + " in "
                    + sorted.stream().mapToLong(Migrator.Ran::millis).sum() + " ms" + (sorted.isEmpty() ? ""
                    : "; slowest " + sorted.get(0).name() + " " + sorted.get(0).millis() + " ms"))
                    : r.done(false, o.failure().describe());
            return new OperationResult("profile", done.success(), done.summary(), steps, done.warnings(), done.duration());
        });
    }

    private Migrator.Outcome buildScratch(OperationResult.Builder r, String scratch, String contexts) throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = coordinates.open("dbagent-ops")) {
            Sql.exec(c, "CREATE SCHEMA " + Sql.ident(scratch));
        }
        Migrator.Outcome o = migrator.update(scratch, contexts);
        if (r != null) {
            r.step("apply changelog into " + scratch, (System.nanoTime() - t0) / 1_000_000, count(o.ran().size()));
        }
        return o;
    }

    private void dropScratch(OperationResult.Builder r, String scratch) {
        long t0 = System.nanoTime();
        try (Connection c = coordinates.open("dbagent-ops")) {
            Sql.exec(c, "DROP SCHEMA IF EXISTS " + Sql.ident(scratch) + " CASCADE");
            r.step("drop " + scratch, (System.nanoTime() - t0) / 1_000_000, "dropped");
        } catch (SQLException e) {
            r.warn("could not drop throwaway schema " + scratch + ": " + Sql.describe(e) + "; drop it by hand");
        }
    }

    // ------------------------------------------------------------------ reset

    /**
     * Issues a single-use token for {@link #reset(String)}, valid for the configured TTL.
     *
     * @return the token and its expiry
     * @throws OperationRefusedException in staging and production, or when reset is disabled
     */
    public ResetToken prepareReset() {
        Instant at = settings.clock().instant();
        long t0 = System.nanoTime();
        try {
            requireCatalogue("prepare-reset");
            refuseResetInThisEnvironment();
        } catch (OperationRefusedException e) {
            audit(new AuditEvent(at, caller, "prepare-reset", Map.of(), false, "refused: " + e.getMessage(),
                    Duration.ofNanos(System.nanoTime() - t0)));
            throw e;
        }
        // a new token supersedes every earlier one: only the latest prepareReset can confirm a reset
        String token = randomHex(16);
        Instant expiresAt = at.plus(settings.resetTokenTtl());
        synchronized (resetTokens) {
            resetTokens.clear();
            resetTokens.put(token, expiresAt);
        }
        audit(new AuditEvent(at, caller, "prepare-reset", Map.of(), true, "reset token issued, expires " + expiresAt,
                Duration.ofNanos(System.nanoTime() - t0)));
        return new ResetToken(token, expiresAt);
    }

    /**
     * Drops and re-creates the target schema and applies the whole changelog (with reference data)
     * again. The agent's schema {@code dbagent} - and so the audit log - is never dropped.
     *
     * @param token a token from {@link #prepareReset()}; consumed by this call whatever the outcome
     * @return the steps, each changeset applied with its time
     * @throws OperationRefusedException in staging and production whatever the token, and for an
     *     unknown, reused or expired token
     */
    public OperationResult reset(String token) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("token", token == null ? "(none)" : token);
        return audited("reset", args, () -> {
            refuseResetInThisEnvironment();
            Instant expiry = token == null ? null : resetTokens.remove(token);
            if (expiry == null) {
                throw new OperationRefusedException("reset refused: unknown or already used reset token;"
                        + " call prepareReset first and use its token once");
            }
            Instant now = settings.clock().instant();
            if (!now.isBefore(expiry)) {
                throw new OperationRefusedException("reset refused: the reset token expired at " + expiry
                        + " (now " + now + "); call prepareReset again");
            }
            OperationResult.Builder r = new OperationResult.Builder("reset");
            ensureAgentSchema(r);
            Migrator.Outcome o = migrateLocked(r, initContexts(), true);
            if (!o.ok()) {
                return r.done(false, "schema " + targetSchema + " dropped and re-created, but " + o.failure().describe());
            }
            return r.done(true, "schema " + targetSchema + " dropped and re-created: " + count(o.ran().size()) + " applied");
        });
    }

    private void refuseResetInThisEnvironment() {
        if (!settings.environmentAllowsReset()) {
            throw new OperationRefusedException("reset is refused in " + settings.environment()
                    + ": it drops every table of schema " + targetSchema + "; it is only possible in development and test");
        }
        if (!settings.resetEnabled()) {
            throw new OperationRefusedException("reset is refused: it is disabled by configuration"
                    + " (dbagent.ops.resetEnabled=false) in " + settings.environment());
        }
    }

    // ------------------------------------------------------------------ lock / health

    /**
     * Shows who holds the migration lock and releases it if it is stale: a Liquibase lock row
     * left by a migrator that died (nobody holds the advisory lock). A lock held by a live session
     * is released only with {@code force}, by terminating that session.
     *
     * @param force terminate a live holder's session
     * @return what was found and done
     * @throws OperationRefusedException if a live session holds the lock and force is false
     */
    public OperationResult releaseLock(boolean force) {
        return audited("release-lock", Map.of("force", String.valueOf(force)), () -> {
            OperationResult.Builder r = new OperationResult.Builder("release-lock");
            try (Connection c = coordinates.open("dbagent-ops")) {
                List<MigrationLock.Holder> holders = MigrationLock.holders(c, targetSchema).stream()
                        .filter(MigrationLock.Holder::granted).toList();
                Optional<MigrationLock.LiquibaseLock> lb = MigrationLock.liquibaseLock(c, targetSchema);
                r.step("migration lock", 0, holders.isEmpty() ? "free" : "held by " + String.join("; ",
                        holders.stream().map(MigrationLock.Holder::describe).toList()));
                r.step("liquibase lock", 0, lb.map(MigrationLock.LiquibaseLock::describe).orElse("free"));
                if (holders.isEmpty()) {
                    if (lb.isEmpty()) {
                        return r.done(true, "no lock held; nothing to release");
                    }
                    MigrationLock.clearLiquibaseLock(c, targetSchema);
                    return r.done(true, "released stale " + lb.get().describe() + " (no migrator holds the migration lock)");
                }
                if (!force) {
                    throw new OperationRefusedException("migration lock of " + targetSchema + " is held by a live session: "
                            + holders.get(0).describe() + "; not released. Wait for it, or use force=true to terminate it");
                }
                for (MigrationLock.Holder h : holders) {
                    Sql.exists(c, "SELECT pg_terminate_backend(?) WHERE true", h.pid());
                    r.step("terminated pid " + h.pid(), 0, h.describe());
                }
                MigrationLock.clearLiquibaseLock(c, targetSchema);
                return r.done(true, "forced: terminated " + holders.size() + " session" + (holders.size() == 1 ? "" : "s")
                        + " holding the migration lock; lock released");
            }
        });
    }

    /**
     * Returns the health report of the attached health monitor.
     *
     * @return the report as detail and its first line as summary; success unless no monitor is
     *     attached or the report's first line says {@code DOWN} or {@code DEGRADED}
     */
    public OperationResult health() {
        return audited("health", Map.of(), () -> {
            OperationResult.Builder r = new OperationResult.Builder("health");
            if (health == null) {
                return r.done(false, "no health monitor attached");
            }
            String text = r.timed("health report", health::get);
            String first = text == null || text.isBlank() ? "(empty report)" : text.strip().lines().findFirst().orElse("");
            return r.done(!NOT_UP.matcher(first).find(), first);
        });
    }

    // ------------------------------------------------------------------ audit

    /**
     * Audits an operation that a caller in front of this class refused before it could run (the
     * JMX layer's one-at-a-time guard, say), exactly like a refusal from inside: to the log, the
     * audit table and the listeners, as this view's caller.
     *
     * @param operation the operation's audit name, e.g. {@code migrate} or {@code release-lock}
     * @param arguments its arguments (secrets are masked)
     * @param reason why it was refused
     */
    public void auditRefusal(String operation, Map<String, String> arguments, String reason) {
        audit(new AuditEvent(settings.clock().instant(), caller, operation, mask(arguments), false,
                "refused: " + reason, Duration.ZERO));
    }

    private interface Body {
        OperationResult run() throws Exception;
    }

    private OperationResult audited(String operation, Map<String, String> arguments, Body body) {
        Instant at = settings.clock().instant();
        long t0 = System.nanoTime();
        Map<String, String> masked = mask(arguments);
        OperationResult result;
        try {
            requireCatalogue(operation);
            result = body.run();
        } catch (OperationRefusedException e) {
            audit(new AuditEvent(at, caller, operation, masked, false, "refused: " + e.getMessage(),
                    Duration.ofNanos(System.nanoTime() - t0)));
            throw e;
        } catch (Exception e) {
            result = new OperationResult(operation, false, "error: " + Sql.describe(e), List.of(), List.of(),
                    Duration.ofNanos(System.nanoTime() - t0));
        }
        audit(new AuditEvent(at, caller, operation, masked, result.success(), result.summary(), result.duration()));
        return result;
    }

    /** Operations that need the database's schema: every one but release-lock and health. */
    private void requireCatalogue(String operation) {
        if (migrator == null && !operation.equals("release-lock") && !operation.equals("health")) {
            throw new OperationRefusedException(operation + " refused: no catalogue is configured for this database;"
                    + " give one with DatabaseAgent.Builder.catalogue(...) or dbagent.db.<name>.migrate.changelog");
        }
    }

    /** @return whether a catalogue (a changelog) is configured; without one schema operations are refused */
    public boolean hasCatalogue() {
        return migrator != null;
    }

    static Map<String, String> mask(Map<String, String> arguments) {
        Map<String, String> out = new LinkedHashMap<>();
        arguments.forEach((k, v) -> out.put(k, SECRET.matcher(k).matches() ? "****" : v));
        return out;
    }

    private void audit(AuditEvent e) {
        LOG.info("audit caller={} operation={} arguments={} success={} duration={}ms outcome={}", e.caller(),
                e.operation(), e.arguments(), e.success(), e.duration().toMillis(), e.outcome());
        try (Connection c = coordinates.open("dbagent-audit")) {
            try {
                AgentSchema.audit(c, e);
            } catch (SQLException missing) {
                AgentSchema.ensure(c);
                AgentSchema.audit(c, e);
            }
        } catch (SQLException ex) {
            LOG.warn("could not write audit record of {} to {}.audit_log: {}", e.operation(), AgentSchema.SCHEMA,
                    Sql.describe(ex));
        }
        for (AuditListener l : listeners) {
            try {
                l.onOperation(e);
            } catch (RuntimeException ex) {
                LOG.warn("audit listener {} failed: {}", l, ex.toString());
            }
        }
    }

    private String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String count(int n) {
        return n + " changeset" + (n == 1 ? "" : "s");
    }

    @Override
    public String toString() {
        return "Operations[" + coordinates + ", schema " + targetSchema + ", changelog "
                + (migrator == null ? "(none)" : migrator.changelog())
                + ", " + settings.environment() + ", caller " + caller + "]";
    }

    /** Builds {@link Operations}. Not thread-safe; build once. */
    public static final class Builder {
        private String jdbcUrl;
        private String user;
        private String password;
        private String targetSchema;
        private String changelog;
        private List<String> referenceContexts = List.of();
        private List<Class<?>> daoClasses = List.of();
        private OperationsSettings settings;
        private Duration lockTimeout = Duration.ofMinutes(5);
        private Supplier<String> health;
        private final List<AuditListener> listeners = new ArrayList<>();
        private ClassLoader classLoader = Operations.class.getClassLoader();

        private Builder() {
        }

        /**
         * Takes the changelog, reference contexts and DAO classes from an application's catalogue.
         *
         * @param catalogue the database's catalogue
         * @return this builder
         */
        public Builder catalogue(Catalogue catalogue) {
            this.changelog = catalogue.changelog();
            this.referenceContexts = catalogue.referenceContexts();
            this.daoClasses = catalogue.daos();
            return this;
        }

        /** @param jdbcUrl the primary, {@code jdbc:postgresql://host:port/database}; the database may not exist yet (init creates it) */
        public Builder jdbcUrl(String jdbcUrl) { this.jdbcUrl = jdbcUrl; return this; }

        /** @param user a user allowed to create schemas (and, for init, the database) */
        public Builder user(String user) { this.user = user; return this; }

        /** @param password its password; never logged or shown */
        public Builder password(String password) { this.password = password; return this; }

        /** @param schema the schema the changelog is applied into, e.g. {@code civic}; not {@code dbagent} */
        public Builder targetSchema(String schema) { this.targetSchema = schema; return this; }

        /** @param path classpath path of the master changelog */
        public Builder changelog(String path) { this.changelog = path; return this; }

        /**
         * @param context the Liquibase context of reference-data changesets; init and reset load them,
         *     migrate leaves them out. Null (the default): migrate applies everything.
         */
        public Builder referenceContext(String context) {
            this.referenceContexts = context == null ? List.of() : List.of(context);
            return this;
        }

        /** @param daos the Jdbi SQL-object interfaces whose statements verify checks */
        public Builder daoClasses(List<Class<?>> daos) { this.daoClasses = List.copyOf(daos); return this; }

        /** @param settings environment, reset-token TTL and clock */
        public Builder settings(OperationsSettings settings) { this.settings = settings; return this; }

        /** @param timeout how long a migration waits for another one to finish (default 5 min) */
        public Builder migrationLockTimeout(Duration timeout) { this.lockTimeout = timeout; return this; }

        /** @param report supplies the current health report text for {@link Operations#health()} */
        public Builder healthReport(Supplier<String> report) { this.health = report; return this; }

        /** @param listener receives every audit event */
        public Builder auditListener(AuditListener listener) { this.listeners.add(listener); return this; }

        /** @param loader loads the changelog resources (default: this library's class loader) */
        public Builder classLoader(ClassLoader loader) { this.classLoader = loader; return this; }

        /**
         * @return the operations, auditing as {@code local}
         * @throws IllegalArgumentException naming every missing or invalid setting
         */
        public Operations build() {
            List<String> problems = new ArrayList<>();
            if (jdbcUrl == null) {
                problems.add("jdbcUrl is required");
            } else {
                try {
                    Coordinates.databaseOf(jdbcUrl);
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
            if (user == null) {
                problems.add("user is required");
            }
            if (targetSchema == null || targetSchema.isBlank()) {
                problems.add("targetSchema is required");
            } else if (targetSchema.toLowerCase(Locale.ROOT).equals(AgentSchema.SCHEMA)
                    || targetSchema.startsWith("pg_") || targetSchema.equals("information_schema")) {
                problems.add("targetSchema must not be '" + targetSchema + "' (reserved)");
            }
            if (changelog != null && changelog.isBlank()) {
                problems.add("changelog must not be blank");
            }
            if (settings == null) {
                problems.add("settings are required");
            }
            if (lockTimeout == null || lockTimeout.isNegative() || lockTimeout.isZero()) {
                problems.add("migrationLockTimeout must be positive, but was " + lockTimeout);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid operations settings: " + String.join("; ", problems));
            }
            return new Operations(this);
        }
    }
}
