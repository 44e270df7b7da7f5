package dev.dbagent.internal.pool;

import dev.dbagent.BreakerOpenException;
import dev.dbagent.PoolExhaustedException;
import dev.dbagent.config.JdbcUrls;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLNonTransientConnectionException;

/**
 * Classifies failures for circuit breakers and retries (DESIGN.md rule 1): only infrastructure
 * failures count. Stateless and thread-safe.
 */
public final class Failures {
    private Failures() {}

    /**
     * Whether a failure is the database's or the network's rather than the caller's: only what
     * the driver or the pool raised counts, never an exception of the application's own making.
     * Walks the cause chain (a Jdbi exception wraps the driver's) and answers true for the first
     * {@link SQLException} that is a connection exception ({@link SQLTransientConnectionException},
     * {@link SQLNonTransientConnectionException}) or carries SQLSTATE class 08, 53, 58 or
     * 57P01-57P03. A socket or I/O error of the driver arrives as such an SQLException (pgJDBC
     * reports it as 08006 or 08001); an {@link java.io.IOException} or
     * {@link java.util.concurrent.TimeoutException} that no driver exception wraps is the
     * application's and does not count.
     *
     * <p>Never infrastructure: a rejection by a breaker ({@link BreakerOpenException}, it is not a
     * new failure) and a full pool ({@link PoolExhaustedException}, backpressure, not an outage).
     *
     * @param t any throwable, possibly wrapping others; may be null
     * @return true if the breakers should count it and an idempotent step may be retried
     */
    public static boolean isInfrastructure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof BreakerOpenException || c instanceof PoolExhaustedException) {
                return false;
            }
            if (c instanceof SQLTransientConnectionException || c instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (c instanceof SQLException sql && isInfrastructureState(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A copy of a failure whose messages cannot reveal a URL or password: when any message in the
     * chain quotes {@code url} or {@code password} (DBCP2 quotes a URL the driver refused), the
     * chain is rebuilt as {@link SQLException}s with masked messages, keeping each SQLSTATE and
     * stack trace; otherwise {@code t} itself is returned.
     *
     * @param t a failure, may be null
     * @param url the URL that may be quoted
     * @param password the password that may be quoted, may be null
     * @return {@code t}, or a masked copy of its chain
     */
    public static Throwable masked(Throwable t, String url, String password) {
        boolean leaks = false;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = c.getMessage();
            if (m != null && !m.equals(JdbcUrls.maskIn(m, url, password))) {
                leaks = true;
                break;
            }
        }
        if (!leaks) {
            return t;
        }
        return copyMasked(t, url, password, 0);
    }

    private static Throwable copyMasked(Throwable t, String url, String password, int depth) {
        if (t == null || depth > 20) {
            return null;
        }
        Throwable cause = t.getCause() == t ? null : copyMasked(t.getCause(), url, password, depth + 1);
        String message = t.getClass().getSimpleName() + ": " + JdbcUrls.maskIn(t.getMessage(), url, password);
        SQLException copy = t instanceof SQLException sql
                ? new SQLException(message, sql.getSQLState(), sql.getErrorCode(), cause)
                : new SQLException(message, null, 0, cause);
        copy.setStackTrace(t.getStackTrace());
        return copy;
    }

    /**
     * @param sqlState a five-character SQLSTATE, may be null
     * @return true for classes 08 (connection), 53 (resources), 58 (system) and 57P01-57P03
     *     (admin/crash shutdown, cannot connect now)
     */
    public static boolean isInfrastructureState(String sqlState) {
        if (sqlState == null || sqlState.length() != 5) {
            return false;
        }
        return sqlState.startsWith("08") || sqlState.startsWith("53") || sqlState.startsWith("58")
                || sqlState.equals("57P01") || sqlState.equals("57P02") || sqlState.equals("57P03");
    }

    /**
     * @param t any throwable
     * @return the SQLSTATE of the first {@link SQLException} in the cause chain, or null
     */
    public static String sqlState(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    /**
     * Whether a statement was refused because its transaction is read-only: SQLSTATE 25006
     * ({@code read_only_sql_transaction}). On a session that asked for read-write this means the
     * server is a standby (every transaction in recovery is read-only) or the application made the
     * transaction read-only itself; the caller tells the two apart with
     * {@code pg_is_in_recovery()}. The statement did nothing and its transaction is aborted.
     * Not an infrastructure failure by itself: breakers do not count it (see DatabaseService).
     *
     * @param t a failure, possibly wrapped; may be null
     * @return true if the first SQLSTATE in the cause chain is 25006
     */
    public static boolean isReadOnlyTransaction(Throwable t) {
        return "25006".equals(sqlState(t));
    }

    /**
     * Whether a statement failed only because a server-side prepared statement it used went stale:
     * SQLSTATE 26000 (the named statement is gone, e.g. behind a pooler) or 0A000 raised by the
     * server's plan-cache revalidation ("cached plan must not change result type", after another
     * instance changed the table). pgJDBC invalidates its prepared statements when it sees either,
     * so the same work succeeds when repeated. Decided from the SQLSTATE and the server's routine
     * field, never the message text.
     *
     * @param t a failure, possibly wrapped
     * @return true if repeating the statement re-prepares it and can succeed
     */
    public static boolean isStalePreparedStatement(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.sql.SQLException e) {
                if ("26000".equals(e.getSQLState())) {
                    return true;
                }
                if ("0A000".equals(e.getSQLState()) && e instanceof org.postgresql.util.PSQLException pe
                        && pe.getServerErrorMessage() != null
                        && "RevalidateCachedQuery".equals(pe.getServerErrorMessage().getRoutine())) {
                    return true;
                }
            }
        }
        return false;
    }
}
