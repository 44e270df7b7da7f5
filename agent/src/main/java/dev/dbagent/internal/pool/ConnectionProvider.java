package dev.dbagent.internal.pool;

import dev.dbagent.Intent;
import java.sql.SQLException;

/**
 * Hands out routed connections for one logical database. Implemented by the connection manager;
 * the service layer sees only this.
 *
 * <p>Thread-safe. {@link #acquire} blocks at most the pool's configured max wait.
 */
public interface ConnectionProvider {

    /** @return the logical database name */
    String database();

    /**
     * Borrows a connection routed for the intent.
     *
     * @param intent what the caller will do with it
     * @return a routed connection; closing it returns it to its pool
     * @throws dev.dbagent.BreakerOpenException if the target pool's breaker rejects the call
     * @throws dev.dbagent.PoolExhaustedException if no connection became free within max wait
     * @throws SQLException if a new connection could not be opened
     */
    RoutedConnection acquire(Intent intent) throws SQLException;

    /**
     * Whether {@code Connection.setReadOnly(true)} on this provider's connections makes the
     * session itself read-only (pgJDBC {@code readOnlyMode=always}), so that statements in
     * autocommit are refused any write. The service then runs reads without an explicit
     * transaction. Default false: reads run in a {@code READ ONLY} transaction.
     *
     * @return true if read-only sessions are enforced by the server
     */
    default boolean readOnlySessions() {
        return false;
    }

    /**
     * Tells the provider that a connection of the pool {@code role} failed with {@code failure}
     * after it was handed out. When the failure says the server session is gone (SQLSTATE class
     * 08, 57P01-57P03) the pool closes its idle connections, which most likely died with it, so
     * that a retry gets a live one. A primary's failure with SQLSTATE 25006, reported only after
     * the caller saw the server in recovery, means the primary pool is on a standby: the router
     * soft-evicts that pool so new connections resolve the URL again. Default: nothing. Never
     * throws, never blocks on the network.
     *
     * @param role the role of the pool the connection came from
     * @param failure what the caller saw
     */
    default void connectionLost(String role, Throwable failure) {
    }
}
