package dev.dbagent.service;

import java.time.Duration;
import java.time.Instant;

/**
 * One call that took at least the slow-query threshold. Contains no bound parameter values and
 * no SQL literals. Immutable.
 *
 * @param at when the call ended
 * @param database logical database name
 * @param role the pool role that served the last attempt ({@code primary}, {@code replica-N}),
 *     or {@code -} if no connection was acquired
 * @param kind the kind of call
 * @param duration how long the caller waited, retries included
 * @param sql the slowest statement of the call with parameters and literals replaced by {@code ?},
 *     or empty if no statement ran
 * @param statements how many statements the call ran (all attempts)
 * @param attempts how many attempts the call took
 * @param callSite the first stack frame outside dbagent, Jdbi and Resilience4j, e.g.
 *     {@code com.example.Orders.find(Orders.java:42)}, or empty if there is none
 */
public record SlowQuery(Instant at, String database, String role, CallKind kind, Duration duration, String sql,
                        int statements, int attempts, String callSite) {

    /** @return a one-line description for logs and JMX */
    public String toText() {
        return at + " " + database + " (" + role + ") " + kind.metricName() + " took " + duration.toMillis()
                + " ms, " + statements + " statement(s), " + attempts + " attempt(s) at " + callSite + ": " + sql;
    }
}
