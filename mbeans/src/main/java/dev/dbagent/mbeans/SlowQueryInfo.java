package dev.dbagent.mbeans;

import java.util.Objects;
import javax.management.ConstructorParameters;

/**
 * One call that exceeded the slow-query threshold, as listed by
 * {@link ServiceMXBean#getRecentSlowQueries()}.
 *
 * <p>Immutable and thread-safe. Maps to a {@code CompositeData} with items {@code sql},
 * {@code durationMillis}, {@code database}, {@code role}, {@code callSite}, {@code at}.
 */
public final class SlowQueryInfo {
    private final String sql;
    private final long durationMillis;
    private final String database;
    private final String role;
    private final String callSite;
    private final String at;

    /**
     * @param sql the statement text with every parameter value redacted (bound parameters shown
     *     as {@code ?}, literals replaced), never the values themselves
     * @param durationMillis how long the call took, in milliseconds
     * @param database the configured database name
     * @param role the pool role the call ran on: {@code primary} or {@code replica-N}
     * @param callSite the application frame that made the call, e.g.
     *     {@code com.example.OrderRepo.find(OrderRepo.java:42)}, or {@code ""} if unknown
     * @param at when the call finished, ISO-8601 UTC
     * @throws NullPointerException if an argument is null
     */
    @ConstructorParameters({"sql", "durationMillis", "database", "role", "callSite", "at"})
    public SlowQueryInfo(String sql, long durationMillis, String database, String role, String callSite, String at) {
        this.sql = Objects.requireNonNull(sql, "sql");
        this.durationMillis = durationMillis;
        this.database = Objects.requireNonNull(database, "database");
        this.role = Objects.requireNonNull(role, "role");
        this.callSite = Objects.requireNonNull(callSite, "callSite");
        this.at = Objects.requireNonNull(at, "at");
    }

    /** @return the statement text with parameter values redacted */
    public String getSql() {
        return sql;
    }

    /** @return how long the call took, in milliseconds */
    public long getDurationMillis() {
        return durationMillis;
    }

    /** @return the configured database name */
    public String getDatabase() {
        return database;
    }

    /** @return {@code primary} or {@code replica-N} */
    public String getRole() {
        return role;
    }

    /** @return the application frame that made the call, or {@code ""} */
    public String getCallSite() {
        return callSite;
    }

    /** @return when the call finished, ISO-8601 UTC */
    public String getAt() {
        return at;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlowQueryInfo other
                && sql.equals(other.sql)
                && durationMillis == other.durationMillis
                && database.equals(other.database)
                && role.equals(other.role)
                && callSite.equals(other.callSite)
                && at.equals(other.at);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sql, durationMillis, database, role, callSite, at);
    }

    @Override
    public String toString() {
        return "SlowQueryInfo[" + durationMillis + " ms on " + database + "/" + role + " at " + at + ": " + sql + "]";
    }
}
