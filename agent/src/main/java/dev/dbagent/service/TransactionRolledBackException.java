package dev.dbagent.service;

import dev.dbagent.DbAgentException;

/**
 * The connection died while COMMIT was in flight and the server, asked afterwards on a new
 * connection, reported the transaction as aborted: none of its effects happened. Repeating the
 * whole call is safe; dbagent does not do it for the caller because the callback may have had
 * effects outside the database.
 */
public final class TransactionRolledBackException extends DbAgentException {
    private static final long serialVersionUID = 1L;
    private final String database;
    private final String transactionId;

    /**
     * @param database logical database name
     * @param transactionId the server's transaction id (xid8) of the lost transaction
     * @param cause the failure seen during COMMIT
     */
    public TransactionRolledBackException(String database, String transactionId, Throwable cause) {
        super("connection to database '" + database + "' was lost during COMMIT of transaction "
                + transactionId + "; the server reports it as aborted: nothing was written, the call may be repeated",
                cause);
        this.database = database;
        this.transactionId = transactionId;
    }

    /** @return the logical database name */
    public String database() { return database; }

    /** @return the transaction id (xid8, as text) */
    public String transactionId() { return transactionId; }
}
