package dev.dbagent.ops;

import dev.dbagent.Catalogue;
import dev.dbagent.DbAgentException;
import dev.dbagent.OperationRefusedException;
import dev.dbagent.config.Environment;
import dev.dbagent.config.OpsSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The canonical operations on one database: init, migrate, status, validate, verify, drift,
 * reset, release-lock, profile and health, each returning an {@link OperationResult} whose
 * {@link OperationResult#outcome() outcome} says how it ended, and each audited (agent, instance,
 * caller, arguments with secrets masked, outcome, duration) to the log, to the table
 * {@code dbagent.audit_log} and to {@link AuditListener}s.
 *
 * <p>The policy lives here, for every caller alike (Java, JMX, Jolokia, the local command):
 * {@link Operation} says which operations change the database, which run one at a time
 * (a second is refused with {@link dev.dbagent.OperationBusyException}), which need the
 * database's {@link Catalogue} (without one they are refused) and which are destructive (reset:
 * refused in staging and production, elsewhere it needs the latest single-use token from
 * {@link #prepareReset()}; {@link dev.dbagent.InvalidResetTokenException} otherwise).
 *
 * <p>The work is split along its seams: {@link Migrations}, {@link SchemaChecks}, {@link Resets},
 * {@link LockRelease} and {@link Audit}. Operations open their own unpooled connections to the
 * primary; they never borrow from the application's pool. Migrations are serialised across
 * threads, processes and hosts by a PostgreSQL session-level advisory lock on a dedicated
 * connection, which the server releases if the migrating process dies.
 *
 * <p>Thread-safe. Every operation blocks while it works (a migration waits up to the configured
 * lock timeout for another migration to finish). Failures of the database work itself are
 * results ({@link OperationOutcome#FAILED} or, for checks, {@link OperationOutcome#ANSWERED_NO});
 * refusals are thrown as {@link OperationRefusedException}s before anything changed.
 */
public final class Operations {
    private static final Pattern NOT_UP = Pattern.compile("\\b(DOWN|DEGRADED)\\b");

    private final OpsPart shared;
    private final Migrations migrations;
    private final SchemaChecks checks;
    private final Resets resets;
    private final LockRelease locks;
    private final Audit audit;
    private final OperationGuard guard;
    private final Supplier<String> health;
    private final String agent;
    private final String instance;
    private final String host;
    private final String caller;

    private Operations(Builder b) {
        Coordinates coordinates = new Coordinates(b.jdbcUrl, b.user, b.password, b.connection, b.database, b.agent,
                b.instance);
        Migrator migrator = b.changelog == null ? null : new Migrator(coordinates, b.changelog, b.classLoader);
        this.shared = new OpsPart.Shared(coordinates, b.targetSchema, migrator, b.daoClasses, b.referenceContexts,
                b.lockTimeout, b.environment, b.settings, b.clock);
        this.migrations = new Migrations(shared);
        this.checks = new SchemaChecks(shared);
        this.resets = new Resets(shared);
        this.locks = new LockRelease(shared);
        this.audit = new Audit(coordinates, b.listeners);
        this.guard = new OperationGuard(b.clock);
        this.health = b.health;
        this.agent = b.agent;
        this.instance = b.instance;
        this.host = hostOf(b.instance);
        this.caller = "local";
    }

    private Operations(Operations o, String caller) {
        this.shared = o.shared;
        this.migrations = o.migrations;
        this.checks = o.checks;
        this.resets = o.resets;
        this.locks = o.locks;
        this.audit = o.audit;
        this.guard = o.guard;
        this.health = o.health;
        this.agent = o.agent;
        this.instance = o.instance;
        this.host = o.host;
        this.caller = caller;
    }

    /** @return a builder; jdbcUrl, user, targetSchema and environment are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A view of these operations that audits as {@code caller} (e.g. {@code jmx:operator}); it shares
     * everything else: the one-at-a-time guard and the outstanding reset token. The default caller
     * is {@code local}.
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
    public String targetSchema() { return shared.targetSchema; }

    /** @return whether a catalogue (a changelog) is configured; without one schema operations are refused */
    public boolean hasCatalogue() {
        return shared.migrator != null;
    }

    /**
     * Adds a listener for audit events. Listeners run synchronously after each operation.
     *
     * @param listener the listener
     */
    public void addAuditListener(AuditListener listener) {
        audit.add(Objects.requireNonNull(listener, "listener"));
    }

    /** @param listener a listener added before; unknown listeners are ignored */
    public void removeAuditListener(AuditListener listener) {
        audit.remove(listener);
    }

    /**
     * Creates the database if missing (through the server's {@code postgres} database), the
     * agent's schema {@code dbagent}, the target schema, applies every changeset and loads the
     * reference data. Idempotent: a second run applies nothing and says "already initialised".
     *
     * @return the steps, each changeset applied with its time
     */
    public OperationResult init() {
        return run(Operation.INIT, Map.of(), migrations::init);
    }

    /**
     * Applies pending changesets (reference data excluded), reporting each with its time. Waits
     * for another migration of the same schema to finish (up to the lock timeout).
     *
     * @return success with the changesets applied, or failure naming the changeset and the SQL error
     */
    public OperationResult migrate() {
        return run(Operation.MIGRATE, Map.of(), migrations::migrate);
    }

    /**
     * What the health monitor needs to know about migrations, in a few cheap queries and without
     * running Liquibase: which changesets of this version the database lacks (pending), which it
     * has that this version does not know (ahead), and who holds the migration lock.
     * Not audited: it changes nothing.
     *
     * @return the probe's findings; never throws (an unreachable database is a finding)
     */
    public MigrationProbe probeMigrations() {
        if (!hasCatalogue()) {
            return new MigrationProbe(false, false, false, List.of(), Optional.empty(), false,
                    "no catalogue is configured for this database", List.of(), List.of());
        }
        return migrations.probeMigrations();
    }

    /**
     * As {@link #probeMigrations()}, on a connection the caller lends and closes (the health
     * monitor lends a pooled one). The connection's session state is left as it was.
     *
     * @param connection an open connection to this database
     * @return the probe's findings; never throws
     */
    public MigrationProbe probeMigrations(java.sql.Connection connection) {
        if (!hasCatalogue()) {
            return new MigrationProbe(false, false, false, List.of(), Optional.empty(), false,
                    "no catalogue is configured for this database", List.of(), List.of());
        }
        return migrations.probeMigrations(java.util.Objects.requireNonNull(connection, "connection"));
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
     * @param pending changesets of this version's changelog (for migrate's contexts) that the
     *     database lacks, {@code id (author) in file}
     * @param ahead changesets the database has that this version's changelog does not know: a
     *     newer version migrated it (a rolling deploy), not a reason to migrate
     */
    public record MigrationProbe(boolean reachable, boolean upToDate, boolean everMigrated, List<String> lockHolders,
                                 Optional<String> liquibaseLock, boolean staleLock, String error,
                                 List<String> pending, List<String> ahead) {
        /** Copies the lists. */
        public MigrationProbe {
            lockHolders = List.copyOf(lockHolders);
            pending = List.copyOf(pending);
            ahead = List.copyOf(ahead);
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
        OperationResult result = run(Operation.MIGRATE_ON_START, Map.of(), migrations::migrateOnStart);
        if (!result.success()) {
            throw new DbAgentException("migration on start failed for schema " + shared.targetSchema + ": "
                    + result.summary());
        }
        return result;
    }

    /**
     * Lists applied and pending changesets, checksum mismatches, and the migration lock with its
     * holder. Reads only; does not wait for a running migration.
     *
     * @return success if everything is applied: false when a changeset is pending or a checksum changed
     */
    public OperationResult status() {
        return run(Operation.STATUS, Map.of(), migrations::status);
    }

    /**
     * Checks that the changelog parses, that applied changesets still have their checksums, and
     * dry-runs every pending changeset inside a transaction that is rolled back - the database is
     * left unchanged. Reports the first failure with the changeset and the SQL error.
     *
     * @return success if every pending changeset would apply
     */
    public OperationResult validate() {
        return run(Operation.VALIDATE, Map.of(), checks::validate);
    }

    /**
     * Has the live database parse and plan (never execute) every SQL statement of every DAO
     * method in the catalogue.
     *
     * @return success if all planned; otherwise each failure names the DAO method and the error
     */
    public OperationResult verify() {
        return run(Operation.VERIFY, Map.of("daos", String.valueOf(shared.daoClasses.size())), checks::verify);
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
        return run(Operation.DRIFT, Map.of(), checks::drift);
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
        return run(Operation.PROFILE, Map.of(), checks::profile);
    }

    /**
     * Issues a single-use token for {@link #reset(String)}, valid for the configured TTL. A new
     * token invalidates every earlier one.
     *
     * @return the token and its expiry
     * @throws OperationRefusedException in staging and production, when reset is disabled, or
     *     without a catalogue
     */
    public ResetToken prepareReset() {
        ResetToken[] issued = new ResetToken[1];
        run(Operation.PREPARE_RESET, Map.of(), () -> {
            resets.refuseInThisEnvironment();
            OperationResult.Builder r = new OperationResult.Builder(Operation.PREPARE_RESET.auditName());
            issued[0] = resets.issue(shared.clock.instant());
            return r.done(true, "reset token issued, expires " + issued[0].expiresAt());
        });
        return issued[0];
    }

    /**
     * Drops and re-creates the target schema and applies the whole changelog (with reference data)
     * again. The agent's schema {@code dbagent} - and so the audit log - is never dropped.
     *
     * @param token the latest token from {@link #prepareReset()}; consumed by this call whatever the outcome
     * @return the steps, each changeset applied with its time
     * @throws OperationRefusedException in staging and production whatever the token
     * @throws dev.dbagent.InvalidResetTokenException for an unknown, used, superseded or expired token
     */
    public OperationResult reset(String token) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("token", token == null ? "(none)" : token);
        return run(Operation.RESET, args, () -> resets.reset(token, migrations));
    }

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
        return run(Operation.RELEASE_LOCK, Map.of("force", String.valueOf(force)), () -> locks.releaseLock(force));
    }

    public OperationResult health() {
        return run(Operation.HEALTH, Map.of(), () -> {
            OperationResult.Builder r = new OperationResult.Builder("health");
            if (health == null) {
                return r.done(false, "no health monitor attached");
            }
            String text = r.timed("health report", health::get);
            String first = text == null || text.isBlank() ? "(empty report)" : text.strip().lines().findFirst().orElse("");
            return r.done(!NOT_UP.matcher(first).find(), first);
        });
    }

    // ------------------------------------------------------------------ the migration lifecycle

    /**
     * Issues a single-use token for {@link #rollback(int, String)} and
     * {@link #rollbackToTag(String, String)}, valid for the configured TTL; a new one invalidates
     * the earlier ones.
     *
     * @return the token and its expiry
     * @throws OperationRefusedException in staging and production, or when reset is disabled
     */
    public ResetToken prepareRollback() {
        ResetToken[] issued = new ResetToken[1];
        run(Operation.PREPARE_ROLLBACK, Map.of(), () -> {
            resets.refuseInThisEnvironment(Operation.ROLLBACK, "it undoes applied changesets");
            issued[0] = resets.issue(Operation.ROLLBACK, shared.clock.instant());
            return new OperationResult.Builder(Operation.PREPARE_ROLLBACK.auditName())
                    .done(true, "rollback token issued, expires " + issued[0].expiresAt());
        });
        return issued[0];
    }

    /**
     * Rolls back the newest {@code count} applied changesets, newest first, running their rollback
     * blocks under the migration lock. Guarded like reset: refused in staging and production, and
     * needs the latest token of {@link #prepareRollback()}. The stored changelog digest is
     * cleared, so health reports the rolled-back changesets as pending until the next migrate.
     *
     * @param count how many changesets, at least 1
     * @param token the latest token from {@link #prepareRollback()}; consumed whatever the outcome
     * @return each changeset rolled back, with its time; a changeset without a rollback fails it
     * @throws OperationRefusedException in staging and production whatever the token
     * @throws dev.dbagent.InvalidResetTokenException for an unknown, used, superseded or expired token
     * @throws IllegalArgumentException if count is below 1
     */
    public OperationResult rollback(int count, String token) {
        if (count < 1) {
            throw new IllegalArgumentException("rollback count must be at least 1, but was " + count);
        }
        Map<String, String> args = new LinkedHashMap<>();
        args.put("count", Integer.toString(count));
        args.put("token", token == null ? "(none)" : token);
        return run(Operation.ROLLBACK, args, () -> {
            resets.refuseInThisEnvironment(Operation.ROLLBACK, "it undoes applied changesets");
            resets.consume(Operation.ROLLBACK, token);
            return migrations.rollback(count);
        });
    }

    /**
     * Rolls back every changeset applied after {@code tag} (a Liquibase {@code tagDatabase}
     * changeset), guarded like {@link #rollback(int, String)}.
     *
     * @param tag the tag to return to
     * @param token the latest token from {@link #prepareRollback()}; consumed whatever the outcome
     * @return each changeset rolled back, with its time
     * @throws OperationRefusedException in staging and production whatever the token
     * @throws dev.dbagent.InvalidResetTokenException for an unknown, used, superseded or expired token
     * @throws IllegalArgumentException if the tag is blank
     */
    public OperationResult rollbackToTag(String tag, String token) {
        if (tag == null || tag.isBlank()) {
            throw new IllegalArgumentException("rollback tag must not be blank");
        }
        Map<String, String> args = new LinkedHashMap<>();
        args.put("tag", tag);
        args.put("token", token == null ? "(none)" : token);
        return run(Operation.ROLLBACK, args, () -> {
            resets.refuseInThisEnvironment(Operation.ROLLBACK, "it undoes applied changesets");
            resets.consume(Operation.ROLLBACK, token);
            return migrations.rollbackToTag(tag);
        });
    }

    /**
     * The SQL that {@link #migrate()} would run now, generated by Liquibase without executing
     * anything: the pending changesets as steps and the SQL as the last step.
     *
     * @return success with the SQL, or {@code up to date} when nothing is pending
     */
    public OperationResult preview() {
        return run(Operation.PREVIEW, Map.of(), migrations::preview);
    }

    /**
     * Records every pending changeset as applied without running it: the baseline for a database
     * whose schema was built before dbagent (by hand or by another tool). Under the migration
     * lock; stores the changelog digest, so start-up and health see the database as up to date.
     *
     * @return how many changesets were recorded
     */
    public OperationResult changelogSync() {
        return run(Operation.CHANGELOG_SYNC, Map.of(), migrations::changelogSync);
    }

    /**
     * Records the current checksum of every applied changeset, after an intentional edit of an
     * applied changeset (whitespace, a comment, an equivalent statement). The stored checksums
     * are cleared and recomputed under the migration lock. Audited; refused in production unless
     * {@code dbagent.ops.repairChecksumsInProduction=true}.
     *
     * @return the mismatches that were repaired, as steps
     * @throws OperationRefusedException in production unless explicitly allowed
     */
    public OperationResult repairChecksums() {
        return run(Operation.REPAIR_CHECKSUMS, Map.of(), () -> {
            if (shared.environment == Environment.PRODUCTION && !shared.settings.repairChecksumsInProduction()) {
                throw new OperationRefusedException("repair-checksums is refused in production: it makes edited"
                        + " changesets count as applied; allow it with dbagent.ops.repairChecksumsInProduction=true");
            }
            return migrations.repairChecksums();
        });
    }

    // ------------------------------------------------------------------ progress

    /** @return where the long operation now running on this database is, if one is */
    public Optional<Progress> progress() {
        return shared.progress.current();
    }

    /** @param listener told before each changeset a long operation runs (migrate, init, reset, validate, drift, profile, rollback) */
    public void addProgressListener(ProgressListener listener) {
        shared.progress.add(Objects.requireNonNull(listener, "listener"));
    }

    /** @param listener a listener added before; unknown listeners are ignored */
    public void removeProgressListener(ProgressListener listener) {
        shared.progress.remove(listener);
    }

    /**
     * Records a management action that is not one of the canonical operations (a live pool
     * change, say) in the same audit trail: the log, the table {@code dbagent.audit_log} and the
     * listeners, as this view's caller. Does not take the one-at-a-time guard. A failure to write
     * the table is logged, never thrown.
     *
     * @param action the action's name, e.g. {@code pool-resize}
     * @param arguments its arguments; values of secret-looking keys are masked
     * @param outcome how it ended
     * @param summary what it did, or why it was refused
     * @param duration how long it took
     */
    public void recordAction(String action, Map<String, String> arguments, OperationOutcome outcome, String summary,
            Duration duration) {
        audit.record(event(shared.clock.instant().minus(duration), Objects.requireNonNull(action, "action"),
                Audit.mask(arguments), outcome, summary, duration));
    }

    // ------------------------------------------------------------------ policy and audit

    private interface Body {
        OperationResult run() throws Exception;
    }

    /**
     * Runs one operation under the policy of its {@link Operation}: refused without a catalogue
     * where one is needed, one at a time where exclusive, audited whatever happens.
     */
    private OperationResult run(Operation operation, Map<String, String> arguments, Body body) {
        Instant at = shared.clock.instant();
        long t0 = System.nanoTime();
        Map<String, String> masked = Audit.mask(arguments);
        try {
            if (operation.needsCatalogue() && !hasCatalogue()) {
                throw new OperationRefusedException(operation.auditName() + " refused: no catalogue is configured"
                        + " for this database; give one with DatabaseAgent.Builder.catalogue(...) or"
                        + " dbagent.db.<name>.migrate.changelog");
            }
            // the audit record is written while the guard is held: the next exclusive operation
            // starts after the previous one is on record
            try (OperationGuard.Held held = guard.enter(operation, caller)) {
                OperationResult result;
                try {
                    result = body.run();
                    result = result.withOutcome(result.success() ? OperationOutcome.SUCCEEDED
                            : operation.check() ? OperationOutcome.ANSWERED_NO : OperationOutcome.FAILED);
                } catch (OperationRefusedException e) {
                    throw e;
                } catch (Exception e) {
                    result = new OperationResult(operation.auditName(), OperationOutcome.FAILED,
                            "error: " + Sql.describe(e), List.of(), List.of(), Duration.ofNanos(System.nanoTime() - t0));
                }
                audit.record(event(at, operation.auditName(), masked, result.outcome(), result.summary(),
                        result.duration()));
                return result;
            }
        } catch (OperationRefusedException e) {
            audit.record(event(at, operation.auditName(), masked, OperationOutcome.REFUSED, "refused: " + e.getMessage(),
                    Duration.ofNanos(System.nanoTime() - t0)));
            throw e;
        }
    }

    private AuditEvent event(Instant at, String operation, Map<String, String> arguments, OperationOutcome outcome,
            String summary, Duration duration) {
        return new AuditEvent(at, agent, instance, host, caller, operation, arguments, outcome, summary, duration);
    }

    private static String hostOf(String instance) {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            int colon = instance.lastIndexOf(':');
            return colon > 0 ? instance.substring(0, colon) : instance;
        }
    }

    /** @return {@code <host>:<pid>}, the default instance id */
    public static String defaultInstance() {
        return dev.dbagent.config.FleetSettings.defaultInstance();
    }

    @Override
    public String toString() {
        return "Operations[" + shared.coordinates + ", schema " + shared.targetSchema + ", changelog "
                + (shared.migrator == null ? "(none)" : shared.migrator.changelog()) + ", " + shared.environment
                + ", caller " + caller + "]";
    }

    /** Builds {@link Operations}. Not thread-safe; build once. */
    public static final class Builder {
        private String jdbcUrl;
        private String user;
        private Supplier<String> password = () -> null;
        private dev.dbagent.config.ConnectionSettings connection;
        private String targetSchema;
        private String changelog;
        private List<String> referenceContexts = List.of();
        private List<Class<?>> daoClasses = List.of();
        private Environment environment;
        private OpsSettings settings = new OpsSettings(true, Duration.ofSeconds(60));
        private Clock clock = Clock.systemUTC();
        private Duration lockTimeout = Duration.ofMinutes(5);
        private Supplier<String> health;
        private final List<AuditListener> listeners = new ArrayList<>();
        private ClassLoader classLoader = Operations.class.getClassLoader();
        private String agent = "dbagent";
        private String instance = defaultInstance();
        private String database;

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
        public Builder password(String password) { this.password = () -> password; return this; }

        /**
         * @param password answers the password at each connect, e.g. the current one after a
         *     credential rotation; never logged or shown
         * @return this builder
         */
        public Builder password(Supplier<String> password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** @param settings the database's TLS, timeout and keep-alive settings (default: pgJDBC's, 10 s connect) */
        public Builder connection(dev.dbagent.config.ConnectionSettings settings) { this.connection = settings; return this; }

        /** @param schema the schema the changelog is applied into, e.g. {@code civic}; not {@code dbagent} */
        public Builder targetSchema(String schema) { this.targetSchema = schema; return this; }

        /** @param path classpath path of the master changelog; without one, schema operations are refused */
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

        /** @param environment where this runs: reset exists only in development and test */
        public Builder environment(Environment environment) { this.environment = environment; return this; }

        /** @param settings reset enabled and the reset-token TTL ({@code dbagent.ops.*}); default enabled, 60 s */
        public Builder settings(OpsSettings settings) { this.settings = settings; return this; }

        /** @param clock time source of token expiry and audit timestamps (default system UTC) */
        public Builder clock(Clock clock) { this.clock = clock; return this; }

        /** @param timeout how long a migration waits for another one to finish (default 5 min) */
        public Builder migrationLockTimeout(Duration timeout) { this.lockTimeout = timeout; return this; }

        /** @param report supplies the current health report text for {@link Operations#health()} */
        public Builder healthReport(Supplier<String> report) { this.health = report; return this; }

        /** @param listener receives every audit event */
        public Builder auditListener(AuditListener listener) { this.listeners.add(listener); return this; }

        /** @param loader loads the changelog resources (default: this library's class loader) */
        public Builder classLoader(ClassLoader loader) { this.classLoader = loader; return this; }

        /** @param name the agent's name, recorded in every audit row (default {@code dbagent}) */
        public Builder agent(String name) { this.agent = name; return this; }

        /**
         * @param name the database's configured name, shown in the {@code application_name} of
         *     operations' connections (default the URL's database)
         * @return this builder
         */
        public Builder database(String name) { this.database = name; return this; }

        /** @param id the agent's instance id, recorded in every audit row (default {@code host:pid}) */
        public Builder instance(String id) { this.instance = id; return this; }

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
            if (environment == null) {
                problems.add("environment is required");
            }
            if (settings == null || clock == null) {
                problems.add("settings and clock must not be null");
            }
            if (lockTimeout == null || lockTimeout.isNegative() || lockTimeout.isZero()) {
                problems.add("migrationLockTimeout must be positive, but was " + lockTimeout);
            }
            if (agent == null || agent.isBlank() || instance == null || instance.isBlank()) {
                problems.add("agent and instance must not be blank");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid operations settings: " + String.join("; ", problems));
            }
            return new Operations(this);
        }
    }
}
