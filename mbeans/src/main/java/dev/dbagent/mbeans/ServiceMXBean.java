package dev.dbagent.mbeans;

/**
 * What the application's calls to one database did: counts, errors, retries and the recent slow
 * queries. Registered as {@code dev.dbagent:type=Service,agent=<name>,database=<db>}
 * ({@link ObjectNames#service(String, String)}). Timings are in the {@code dev.dbagent.metrics}
 * domain.
 *
 * <p>Read-only; getters never block. Counters count since the agent started.
 */
public interface ServiceMXBean {

    /** @return the configured database name */
    String getDatabase();

    /** @return calls to read, write and transaction, whatever their outcome */
    long getCalls();

    /** @return calls that ended with an exception thrown to the caller */
    long getErrors();

    /** @return {@link #getErrors()} broken down by the exception class the caller received, largest count first */
    ErrorCountInfo[] getErrorsByClass();

    /** @return retry attempts made (not counting first attempts) */
    long getRetries();

    /** @return write calls that ended "outcome unknown": the connection died during COMMIT */
    long getOutcomeUnknown();

    /** @return calls that exceeded the slow-query threshold */
    long getSlowQueryCount();

    /** @return the most recent slow queries, newest first, from a bounded ring buffer */
    SlowQueryInfo[] getRecentSlowQueries();
}
