package dev.dbagent.ops;

import java.util.Locale;
import java.util.Optional;

/**
 * Every canonical operation and the policy attached to it, decided here once: whether it changes
 * the database (so that a read-only role may not run it), whether it runs one at a time per
 * database, whether it needs the database's catalogue, and whether it destroys data.
 *
 * <p>The management layer derives its authorisation from {@link #changes()}; an operation cannot
 * be added without that decision.
 */
public enum Operation {
    /** Create the database if missing, the schemas, apply the changelog with reference data. */
    INIT("init", true, false, true, true, false),
    /** Apply pending changesets. */
    MIGRATE("migrate", true, false, true, true, false),
    /** The start-up migration with its digest fast path. */
    MIGRATE_ON_START("migrate-on-start", true, false, true, true, false),
    /** Applied and pending changesets, checksum mismatches, the lock. */
    STATUS("status", false, true, false, true, false),
    /** Dry-run pending changesets in a transaction that is rolled back. */
    VALIDATE("validate", false, true, false, true, false),
    /** Prepare every statement of the catalogue's DAOs against the live schema. */
    VERIFY("verify", false, true, false, true, false),
    /** Compare the live schema with what the changelog builds in a throwaway schema. */
    DRIFT("drift", false, true, false, true, false),
    /** Time every changeset in a throwaway schema and describe the database. */
    PROFILE("profile", false, true, false, true, false),
    /** Issue the single-use token a reset needs. */
    PREPARE_RESET("prepare-reset", true, false, false, true, false),
    /** Drop and re-create the target schema. */
    RESET("reset", true, false, true, true, true),
    /** Issue the single-use token a rollback needs. */
    PREPARE_ROLLBACK("prepare-rollback", true, false, false, true, false),
    /** Roll back the newest changesets, by count or to a tag. */
    ROLLBACK("rollback", true, false, true, true, true),
    /** The SQL migrate would run; nothing executed. */
    PREVIEW("preview", false, false, false, true, false),
    /** Record pending changesets as applied without running them (baseline an existing schema). */
    CHANGELOG_SYNC("changelog-sync", true, false, true, true, false),
    /** Record the current checksums after an intentional changelog edit. */
    REPAIR_CHECKSUMS("repair-checksums", true, false, true, true, false),
    /** Release a stale (or, forced, a live) migration lock. */
    RELEASE_LOCK("release-lock", true, false, true, false, false),
    /** The health monitor's report. */
    HEALTH("health", false, true, false, false, false);

    private final String auditName;
    private final boolean changes;
    private final boolean check;
    private final boolean exclusive;
    private final boolean needsCatalogue;
    private final boolean destructive;

    Operation(String auditName, boolean changes, boolean check, boolean exclusive, boolean needsCatalogue,
            boolean destructive) {
        this.auditName = auditName;
        this.changes = changes;
        this.check = check;
        this.exclusive = exclusive;
        this.needsCatalogue = needsCatalogue;
        this.destructive = destructive;
    }

    /** @return the name in the audit trail and notifications, e.g. {@code release-lock} */
    public String auditName() {
        return auditName;
    }

    /** @return the camel-case name of the MXBean operation, e.g. {@code releaseLock} */
    public String jmxName() {
        StringBuilder sb = new StringBuilder(auditName.length());
        boolean upper = false;
        for (char c : auditName.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }

    /**
     * @return whether it changes the database or the agent's state for good (a schema, the
     *     changelog table, a lock, a token); a role that only reads may run only operations for
     *     which this is false. Checks that build a throwaway schema and drop it again (drift,
     *     profile) or run in a transaction that is rolled back (validate) do not count.
     */
    public boolean changes() {
        return changes;
    }

    /**
     * @return whether it answers a question: an unsuccessful result is the answer "no"
     *     ({@link OperationOutcome#ANSWERED_NO}), not a failure
     */
    public boolean check() {
        return check;
    }

    /** @return whether it runs one at a time per database: a second one is refused, not queued */
    public boolean exclusive() {
        return exclusive;
    }

    /** @return whether it needs the database's catalogue (changelog, DAOs) */
    public boolean needsCatalogue() {
        return needsCatalogue;
    }

    /** @return whether it drops data: refused in staging and production, needs a token elsewhere */
    public boolean destructive() {
        return destructive;
    }

    /**
     * @param name an audit name ({@code release-lock}) or JMX name ({@code releaseLock}), any case
     * @return the operation, if there is one of that name
     */
    public static Optional<Operation> byName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (Operation o : values()) {
            if (o.auditName.equals(wanted) || o.jmxName().toLowerCase(Locale.ROOT).equals(wanted)) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }
}
