package dev.dbagent.mbeans;

/**
 * The agent's health: the result of the last run of every check (round trip, pool saturation,
 * replica lag, pending migrations, stale migration lock, long or idle-in-transaction sessions)
 * and the issues found. Registered as {@code dev.dbagent:type=Health,agent=<name>}
 * ({@link ObjectNames#health(String)}). A change of overall status emits a
 * {@link Notifications#HEALTH_STATUS} notification.
 *
 * <p>Status values are {@code UP}, {@code DEGRADED} and {@code DOWN}; before the first run
 * completes the status is {@code UNKNOWN}, {@link #getLastRunAt()} is {@code ""} and the arrays
 * are empty. Attributes show the last completed run and never block; the operations are safe to
 * call from several clients at once (concurrent calls may share one run).
 */
public interface HealthMXBean {

    /** @return overall status of the last run: {@code UP}, {@code DEGRADED}, {@code DOWN}; {@code UNKNOWN} before the first run */
    String getStatus();

    /** @return when the last run started, ISO-8601 UTC; {@code ""} before the first run */
    String getLastRunAt();

    /** @return how long the last run took, in milliseconds; {@code 0} before the first run */
    long getLastRunMillis();

    /** @return every check's result in the last run */
    HealthCheckInfo[] getChecks();

    /** @return every issue the last run found, most severe first */
    IssueInfo[] getIssues();

    /**
     * Runs every check now and waits for the result, which also becomes the attributes' value.
     * Checks return results rather than throw; each is bounded by its own timeout, so this blocks
     * at most for the configured health timeout.
     *
     * @return a human-readable report: overall status line, one line per check, one per issue
     */
    @Impact(Impact.Kind.INFO)
    String runNow();

    /**
     * Like {@link #runNow()}, but returns the structured result.
     *
     * @return the report
     */
    @Impact(Impact.Kind.INFO)
    HealthReportInfo runNowReport();
}
