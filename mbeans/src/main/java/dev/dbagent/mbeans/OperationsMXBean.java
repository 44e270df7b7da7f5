package dev.dbagent.mbeans;

/**
 * The canonical database operations, one per task, the same from JConsole, jmxterm
 * ({@code scripts/dbctl}) and Jolokia. Registered as
 * {@code dev.dbagent:type=Operations,agent=<name>,database=<db>} ({@link ObjectNames#operations(String, String)}): one per database.
 *
 * <p><b>Results.</b> An operation that ran to completion returns an {@link OperationResultInfo}.
 * Its {@code success} is false when the operation did its job and the answer is "no" (validate
 * found an invalid changeset, verify or drift found a difference, status shows pending changes,
 * health is not UP); its {@code text} is the full report.
 *
 * <p><b>Failures.</b> An operation that could not do its job throws, with a message that starts
 * with the operation's name:
 * <ul>
 *   <li>{@link IllegalStateException} {@code "<op> refused: <why>"} — refused before it changed
 *       anything: destructive operation in staging/production, another operation of this agent
 *       still running, migration lock held by someone else;</li>
 *   <li>{@link IllegalStateException} {@code "<op> failed: <why>"} — started and failed: database
 *       unreachable (breaker open, pool exhausted, connection refused), a changeset failed; the
 *       message says what was done before the failure;</li>
 *   <li>{@link IllegalArgumentException} — a bad argument, e.g. an unknown or expired reset
 *       token.</li>
 * </ul>
 * Only JDK exception types cross the wire, so every client can read the failure.
 *
 * <p><b>Concurrency and blocking.</b> Operations block until done, bounded by the agent's
 * configured timeouts. Operations that change the database ({@code init}, {@code migrate},
 * {@code reset}, {@code releaseLock}) run one at a time per agent; a second one is refused, not
 * queued. Read-only operations may run alongside them.
 *
 * <p><b>Audit.</b> Every invocation — including refused and failed ones — is audited (caller,
 * operation, arguments, result, duration) to the log, to the agent's audit table, and as a
 * {@link Notifications#OPS_COMPLETED} notification from this bean.
 */
public interface OperationsMXBean {

    /**
     * Prepares the configured databases for use: creates the agent's own schema (audit table)
     * and the application schemas, and applies every changeset. Idempotent: on an initialized
     * database it applies nothing and succeeds.
     *
     * @return the steps done per database
     * @throws IllegalStateException if refused or failed (see the interface comment)
     */
    @Impact(Impact.Kind.ACTION)
    OperationResultInfo init();

    /**
     * Applies every pending changeset, holding the migration lock while it does.
     *
     * @return the changesets applied, in order; success with "0 changesets applied" if none were pending
     * @throws IllegalStateException if refused (lock held elsewhere, another operation running) or
     *     failed (a changeset failed: the message names it and what was applied before it)
     */
    @Impact(Impact.Kind.ACTION)
    OperationResultInfo migrate();

    /**
     * Reports what is applied and what is pending per database; changes nothing.
     *
     * @return the report; {@code success} is false if any changeset is pending
     * @throws IllegalStateException if a database is unreachable
     */
    @Impact(Impact.Kind.INFO)
    OperationResultInfo status();

    /**
     * Checks the changelogs themselves: they parse, and no applied changeset's checksum changed.
     * Changes nothing.
     *
     * @return the report; {@code success} is false if a changelog is invalid or a checksum differs
     * @throws IllegalStateException if a database is unreachable
     */
    @Impact(Impact.Kind.INFO)
    OperationResultInfo validate();

    /**
     * Checks that the live schema is what the applied changelogs produce: every expected table,
     * column, index and constraint is there. Changes nothing.
     *
     * @return the report; {@code success} is false if anything is missing or different
     * @throws IllegalStateException if a database is unreachable
     */
    @Impact(Impact.Kind.INFO)
    OperationResultInfo verify();

    /**
     * Lists objects in the live schema that no changelog created or that differ from it (manual
     * changes). Changes nothing.
     *
     * @return the report; {@code success} is false if any drift was found
     * @throws IllegalStateException if a database is unreachable
     */
    @Impact(Impact.Kind.INFO)
    OperationResultInfo drift();

    /**
     * First half of a reset: checks that reset is allowed here and returns a confirmation token
     * for {@link #reset(String)}. The token is single-use and expires after the configured time;
     * it is returned bare so a script can pass it straight back. Changes nothing.
     *
     * @return the token
     * @throws IllegalStateException {@code "reset refused: ..."} in staging or production, or
     *     when reset is disabled by configuration
     */
    @Impact(Impact.Kind.ACTION)
    String prepareReset();

    /**
     * Drops every application schema and re-initializes it, as {@link #init()} would. The
     * agent's own schema and its audit table are kept.
     *
     * @param token the token from {@link #prepareReset()}
     * @return the steps done per database
     * @throws IllegalArgumentException if the token is unknown, already used or expired
     * @throws IllegalStateException {@code "reset refused: ..."} in staging or production, or
     *     {@code "reset failed: ..."} if a step failed
     */
    @Impact(Impact.Kind.ACTION)
    OperationResultInfo reset(String token);

    /**
     * Releases the migration lock left behind by a process that died while migrating.
     *
     * @param force false to release only a stale lock (held longer than the configured stale
     *     threshold, or by a session that is gone); true to release whatever holds it
     * @return what was released; success with "no lock held" if there was none
     * @throws IllegalStateException {@code "releaseLock refused: ..."} if the lock is held by a
     *     live, recent holder and {@code force} is false; the message names the holder and since when
     */
    @Impact(Impact.Kind.ACTION)
    OperationResultInfo releaseLock(boolean force);

    /**
     * Describes each database: server version, size, largest tables, connection counts by
     * state, and key settings. Changes nothing.
     *
     * @return the profile
     * @throws IllegalStateException if a database is unreachable
     */
    @Impact(Impact.Kind.INFO)
    OperationResultInfo profile();

    /**
     * Runs every health check now, as {@link HealthMXBean#runNow()} does.
     *
     * @return the health report; {@code success} is true only if the status is {@code UP}
     */
    @Impact(Impact.Kind.INFO)
    OperationResultInfo health();

    /**
     * Where the long operation now running on this database is, e.g.
     * {@code migrate: 3 of 23: foundation-3-bills (dbagent)}; {@code idle} when none runs. Also
     * sent as {@value Notifications#OPS_PROGRESS} notifications, one per changeset.
     *
     * @return the progress line
     */
    String getProgress();

    /**
     * First half of a rollback: checks that rollback is allowed here and returns a confirmation
     * token for {@link #rollback(int, String)} or {@link #rollbackToTag(String, String)}. A new token
     * invalidates the earlier ones. Changes nothing in the schema.
     *
     * @return the token
     * @throws IllegalStateException {@code "rollback refused: ..."} in staging or production, or
     *     when reset and rollback are disabled by configuration
     */
    @Impact(Impact.Kind.ACTION)
    String prepareRollback();

    /**
     * Rolls back the newest {@code count} applied changesets with their rollback blocks.
     *
     * @param count how many, at least 1
     * @param token the latest token from {@link #prepareRollback()}
     * @return each changeset rolled back
     * @throws IllegalArgumentException if the token is unknown, used, superseded or expired, or count &lt; 1
     * @throws IllegalStateException {@code "rollback refused: ..."} in staging or production, or
     *     {@code "rollback failed: ..."} (e.g. a changeset without a rollback)
     */
    @Impact(Impact.Kind.ACTION)
    OperationResultInfo rollback(int count, String token);

    /**
     * Rolls back every changeset applied after {@code tag}.
     *
     * @param tag the tag to return to
     * @param token the latest token from {@link #prepareRollback()}
     * @return each changeset rolled back
     * @throws IllegalArgumentException if the token is unknown, used, superseded or expired
     * @throws IllegalStateException {@code "rollback refused: ..."} or {@code "rollback failed: ..."}
     */
    @Impact(Impact.Kind.ACTION)
    OperationResultInfo rollbackToTag(String tag, String token);

    /**
     * The SQL that {@link #migrate()} would run now; nothing is executed.
     *
     * @return the pending changesets as steps and the SQL in the last step
     * @throws IllegalStateException if the database is unreachable
     */
    @Impact(Impact.Kind.INFO)
    OperationResultInfo preview();

    /**
     * Records every pending changeset as applied without running it: the baseline for a schema
     * built before dbagent.
     *
     * @return how many were recorded
     * @throws IllegalStateException {@code "changelogSync failed: ..."}
     */
    @Impact(Impact.Kind.ACTION)
    OperationResultInfo changelogSync();

    /**
     * Records the current checksums of applied changesets after an intentional edit.
     *
     * @return the mismatches repaired
     * @throws IllegalStateException {@code "repairChecksums refused: ..."} in production unless
     *     allowed by configuration, or {@code "repairChecksums failed: ..."}
     */
    @Impact(Impact.Kind.ACTION)
    OperationResultInfo repairChecksums();
}
