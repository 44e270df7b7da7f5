package dev.dbagent.health;

import dev.dbagent.internal.pool.ConnectionProvider;
import dev.dbagent.internal.pool.Failures;
import dev.dbagent.Intent;
import dev.dbagent.internal.pool.RoutedConnection;
import dev.dbagent.service.SqlRedaction;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The standard health checks. Every check returned here is thread-safe and never throws.
 */
public final class HealthChecks {
    private static final String SESSIONS_SQL = """
            SELECT pid, usename, application_name, state,
                   extract(epoch FROM now() - coalesce(xact_start, query_start)) AS xact_seconds,
                   extract(epoch FROM now() - state_change) AS state_seconds,
                   left(query, 500) AS query
              FROM pg_stat_activity
             WHERE datname = current_database()
               AND pid <> pg_backend_pid()
               AND backend_type = 'client backend'
               AND ((state = 'active' AND now() - coalesce(xact_start, query_start) > make_interval(secs => ?))
                 OR (state IN ('idle in transaction', 'idle in transaction (aborted)')
                     AND now() - state_change > make_interval(secs => ?)))
             ORDER BY pid""";

    private HealthChecks() {}

    /**
     * A check from a supplier, for checks owned elsewhere (pool saturation, replica lag, pending
     * migrations, stale migration lock). The monitor turns an exception into a DOWN result.
     *
     * @param name the check's name
     * @param supplier produces the result; called once per run
     * @return the check
     */
    public static HealthCheck of(String name, Supplier<CheckResult> supplier) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(supplier, "supplier");
        return new HealthCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public CheckResult check() {
                return supplier.get();
            }
        };
    }

    /**
     * {@code SELECT 1} on a connection borrowed for the intent. DOWN when no connection can be had
     * or the query fails or times out.
     *
     * @param name the check's name, e.g. {@code orders.roundTrip}
     * @param provider the database's connections
     * @param intent which connection to test: {@link Intent#WRITE} for the primary, {@link Intent#READ}
     *     for what reads are routed to
     * @param timeout query timeout, rounded up to whole seconds
     * @return the check
     */
    public static HealthCheck roundTrip(String name, ConnectionProvider provider, Intent intent, Duration timeout) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(intent, "intent");
        int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
        return of(name, () -> {
            long start = System.nanoTime();
            try (RoutedConnection rc = provider.acquire(intent); Statement st = rc.connection().createStatement()) {
                st.setQueryTimeout(seconds);
                try (ResultSet rs = st.executeQuery("SELECT 1")) {
                    rs.next();
                }
                long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
                return CheckResult.up("SELECT 1 in " + ms + " ms on " + rc.role() + " of '" + rc.database() + "'");
            } catch (SQLException | RuntimeException e) {
                String what = "database '" + provider.database() + "' (" + intent.name().toLowerCase(Locale.ROOT)
                        + ") unreachable: " + describe(e);
                return CheckResult.down(what, List.of());
            }
        });
    }

    /**
     * The states of circuit breakers: DOWN if any is OPEN or FORCED_OPEN, DEGRADED if any is
     * HALF_OPEN, else UP.
     *
     * @param name the check's name, e.g. {@code breakers}
     * @param breakers supplies the breakers to look at, asked on every run
     * @return the check
     */
    public static HealthCheck breakers(String name, Supplier<? extends Collection<CircuitBreaker>> breakers) {
        Objects.requireNonNull(breakers, "breakers");
        return of(name, () -> {
            List<Issue> issues = new ArrayList<>();
            HealthStatus status = HealthStatus.UP;
            Collection<CircuitBreaker> all = breakers.get();
            for (CircuitBreaker b : all) {
                CircuitBreaker.State s = b.getState();
                if (s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN) {
                    status = status.worst(HealthStatus.DOWN);
                    float rate = b.getMetrics().getFailureRate(); // -1 until enough calls were recorded
                    issues.add(new Issue(Issue.Severity.CRITICAL, name, "breaker " + b.getName() + " is " + s
                            + (rate < 0 ? "" : String.format(Locale.ROOT, " (failure rate %.1f%%)", rate))
                            + ": calls are rejected"));
                } else if (s == CircuitBreaker.State.HALF_OPEN) {
                    status = status.worst(HealthStatus.DEGRADED);
                    issues.add(new Issue(Issue.Severity.WARNING, name, "breaker " + b.getName()
                            + " is HALF_OPEN: probing whether the database recovered"));
                }
            }
            String message = all.size() + " breaker(s), " + issues.size() + " not closed";
            return new CheckResult(status, Duration.ZERO, message, issues);
        });
    }

    /**
     * The states of a fixed list of circuit breakers.
     *
     * @param name the check's name
     * @param breakers the breakers
     * @return the check
     * @see #breakers(String, Supplier)
     */
    public static HealthCheck breakers(String name, List<CircuitBreaker> breakers) {
        List<CircuitBreaker> copy = List.copyOf(breakers);
        return breakers(name, () -> copy);
    }

    /**
     * Sessions of the database (from {@code pg_stat_activity}, on the primary) that are active in
     * a transaction (or a single statement) open longer than {@code longTransaction}, or sit idle
     * inside a transaction longer than {@code idleInTransaction}: a WARNING issue each (query
     * text redacted), status DEGRADED. DOWN if the query cannot run.
     *
     * @param name the check's name, e.g. {@code orders.sessions}
     * @param provider the database's connections
     * @param longTransaction threshold for active sessions
     * @param idleInTransaction threshold for idle-in-transaction sessions
     * @return the check
     * @see #sessions(String, ConnectionProvider, Duration, Duration, String)
     */
    public static HealthCheck sessions(String name, ConnectionProvider provider, Duration longTransaction,
                                       Duration idleInTransaction) {
        return sessions(name, provider, longTransaction, idleInTransaction, null);
    }

    /**
     * As {@link #sessions(String, ConnectionProvider, Duration, Duration)}, for one instance among
     * many: only sessions whose {@code application_name} starts with {@code ownPrefix} (this
     * instance's, {@code dbagent/<agent>/<instance>/}) are WARNING issues and make the check
     * DEGRADED; long or idle transactions of every other session (other instances, other
     * applications) are reported once, as INFO issues that leave the status UP, so fifty
     * instances do not all report the same stuck session as their own problem.
     *
     * @param name the check's name, e.g. {@code orders.sessions}
     * @param provider the database's connections
     * @param longTransaction threshold for active sessions
     * @param idleInTransaction threshold for idle-in-transaction sessions
     * @param ownPrefix the application-name prefix of this instance's sessions; null treats every
     *     session as this agent's own
     * @return the check
     */
    public static HealthCheck sessions(String name, ConnectionProvider provider, Duration longTransaction,
                                       Duration idleInTransaction, String ownPrefix) {
        Objects.requireNonNull(provider, "provider");
        double longSeconds = longTransaction.toNanos() / 1e9;
        double idleSeconds = idleInTransaction.toNanos() / 1e9;
        return of(name, () -> {
            List<Issue> issues = new ArrayList<>();
            int longCount = 0;
            int idleCount = 0;
            int others = 0;
            try (RoutedConnection rc = provider.acquire(Intent.WRITE);
                 PreparedStatement ps = rc.connection().prepareStatement(SESSIONS_SQL)) {
                ps.setQueryTimeout(30);
                ps.setDouble(1, longSeconds);
                ps.setDouble(2, idleSeconds);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String app = rs.getString("application_name");
                        boolean own = ownPrefix == null || (app != null && app.startsWith(ownPrefix));
                        Issue.Severity severity = own ? Issue.Severity.WARNING : Issue.Severity.INFO;
                        String who = (own ? "" : "other ") + "session pid " + rs.getInt("pid") + " (user "
                                + rs.getString("usename") + ", application '" + app + "')";
                        String query = SqlRedaction.redact(rs.getString("query"), 200);
                        boolean active = "active".equals(rs.getString("state"));
                        if (!own) {
                            others++;
                        } else if (active) {
                            longCount++;
                        } else {
                            idleCount++;
                        }
                        if (active) {
                            issues.add(new Issue(severity, name, String.format(Locale.ROOT,
                                    "%s has been running a transaction for %.1f s (threshold %.1f s); "
                                            + "current statement: %s",
                                    who, rs.getDouble("xact_seconds"), longSeconds, query)));
                        } else {
                            issues.add(new Issue(severity, name, String.format(Locale.ROOT,
                                    "%s has been %s for %.1f s (threshold %.1f s), holding its locks and "
                                            + "snapshot; last statement: %s",
                                    who, rs.getString("state"), rs.getDouble("state_seconds"), idleSeconds, query)));
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                String what = "cannot read pg_stat_activity of database '" + provider.database() + "': " + describe(e);
                return CheckResult.down(what, List.of());
            }
            String message = longCount + " long-transaction, " + idleCount + " idle-in-transaction session(s)"
                    + (ownPrefix == null ? "" : " of this instance; " + others + " of other sessions");
            return longCount + idleCount > 0 ? CheckResult.degraded(message, issues)
                    : new CheckResult(HealthStatus.UP, Duration.ZERO, message, issues);
        });
    }


    private static final String BUDGET_SQL = """
            SELECT current_setting('max_connections')::int,
                   current_setting('superuser_reserved_connections')::int,
                   coalesce((SELECT setting::int FROM pg_settings WHERE name = 'reserved_connections'), 0)""";

    private static final String BY_AGENT_SQL = """
            SELECT CASE WHEN application_name LIKE 'dbagent/%/%/%' THEN split_part(application_name, '/', 2) END AS agent,
                   CASE WHEN application_name LIKE 'dbagent/%/%/%' THEN split_part(application_name, '/', 3) END AS instance,
                   count(*)
              FROM pg_stat_activity
             WHERE backend_type = 'client backend'
             GROUP BY 1, 2""";

    /**
     * Whether the server can hold the whole fleet of this agent at its configured maxima. Reads
     * {@code max_connections}, {@code superuser_reserved_connections} and (PostgreSQL 16+)
     * {@code reserved_connections}, and the server's current client connections grouped by the
     * agent name in their {@code application_name}. The fleet's maximum is
     * {@code expectedInstances × perInstanceMax}; together with the connections others hold now it
     * must fit the slots ordinary users may take ({@code max_connections} minus the reserved
     * ones). DEGRADED with a WARNING when it does not, or when more instances of this agent are
     * connected than it is sized for; otherwise UP with the figures. DOWN if it cannot ask.
     *
     * @param name the check's name, e.g. {@code orders.connectionBudget}
     * @param provider the database's connections (the primary is asked)
     * @param agentName this agent's name, as in application names
     * @param perInstanceMax the most connections one instance may open to this server (its pool
     *     maximum plus what operations use)
     * @param expectedInstances how many instances the fleet is sized for
     * @return the check
     */
    public static HealthCheck connectionBudget(String name, ConnectionProvider provider, String agentName,
                                               int perInstanceMax, int expectedInstances) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(agentName, "agentName");
        return of(name, () -> {
            int max;
            int superReserved;
            int reserved;
            int ours = 0;
            int others = 0;
            java.util.Set<String> instances = new java.util.TreeSet<>();
            try (RoutedConnection rc = provider.acquire(Intent.WRITE); Statement st = rc.connection().createStatement()) {
                st.setQueryTimeout(30);
                try (ResultSet rs = st.executeQuery(BUDGET_SQL)) {
                    rs.next();
                    max = rs.getInt(1);
                    superReserved = rs.getInt(2);
                    reserved = rs.getInt(3);
                }
                try (ResultSet rs = st.executeQuery(BY_AGENT_SQL)) {
                    while (rs.next()) {
                        if (agentName.equals(rs.getString(1))) {
                            ours += rs.getInt(3);
                            instances.add(rs.getString(2));
                        } else {
                            others += rs.getInt(3);
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                return CheckResult.down("cannot read the connection budget of database '" + provider.database() + "': "
                        + describe(e), List.of());
            }
            int slots = max - superReserved - reserved;
            long fleetMax = (long) expectedInstances * perInstanceMax;
            String message = String.format(Locale.ROOT, "%d instance(s) x %d = %d connections at most for agent '%s'"
                            + " (%d now, %d instance(s) connected); %d held by others; %d slots (max_connections %d"
                            + " - %d reserved)", expectedInstances, perInstanceMax, fleetMax, agentName, ours,
                    instances.size(), others, slots, max, superReserved + reserved);
            List<Issue> issues = new ArrayList<>();
            if (fleetMax + others > slots) {
                int fits = (slots - others) / expectedInstances - OPS_CONNECTIONS_PER_INSTANCE;
                issues.add(new Issue(Issue.Severity.WARNING, name, String.format(Locale.ROOT,
                        "the fleet of agent '%s' can exhaust the server: %d instance(s) x %d connections + %d held by"
                                + " others = %d > %d slots; %s", agentName, expectedInstances, perInstanceMax, others,
                        fleetMax + others, slots, fits >= 1
                                ? "lower pool.maxTotal to at most " + fits + " or raise max_connections"
                                : "raise max_connections or put a pooler (PgBouncer) in front")));
            }
            if (instances.size() > expectedInstances) {
                issues.add(new Issue(Issue.Severity.WARNING, name, String.format(Locale.ROOT,
                        "%d instances of agent '%s' are connected, but the budget is sized for %d"
                                + " (dbagent.fleet.expectedInstances)", instances.size(), agentName, expectedInstances)));
            }
            return issues.isEmpty() ? CheckResult.up(message) : CheckResult.degraded(message, issues);
        });
    }

    /**
     * Connections an instance opens to a primary besides its pool: an operation's own connection
     * and the migration lock's.
     */
    public static final int OPS_CONNECTIONS_PER_INSTANCE = 2;

    /** Class, SQLSTATE and the first line of the message; driver messages carry no password. */
    static String describe(Throwable e) {
        String state = Failures.sqlState(e);
        String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return e.getClass().getSimpleName() + (state == null ? "" : " [" + state + "]")
                + (message.isEmpty() ? "" : ": " + message);
    }
}
