package dev.dbagent.internal.pool;

import dev.dbagent.BreakerOpenException;
import dev.dbagent.PoolExhaustedException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLNonTransientConnectionException;
import java.util.concurrent.TimeoutException;

/**
 * Classifies failures for circuit breakers and retries (DESIGN.md rule 1): only infrastructure
 * failures count. Stateless and thread-safe.
 */
public final class Failures {
    private Failures() {}

    /**
     * @param t any throwable, possibly wrapping others
     * @return true if {@code t} or a cause is an infrastructure failure: connection refused or lost,
     *     timeout, pool exhaustion, or SQLSTATE class 08, 53, 58 or 57P01-57P03
     */
    public static boolean isInfrastructure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof BreakerOpenException) {
                return false; // a rejection is not a new failure
            }
            if (c instanceof PoolExhaustedException
                    || c instanceof SQLTransientConnectionException
                    || c instanceof SQLNonTransientConnectionException
                    || c instanceof TimeoutException
                    || c instanceof IOException) {
                return true;
            }
            if (c instanceof SQLException sql && isInfrastructureState(sql.getSQLState())) {
                return true;
            }
        }
        return false;
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
}
