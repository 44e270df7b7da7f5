package dev.dbagent;

/**
 * The connection died while a COMMIT was in flight and the outcome could not be resolved (the
 * server could not be asked within the retry budget, or no longer knew the transaction). The write may or may not have
 * happened: the caller must check before repeating it. dbagent never retries such a write.
 */
public final class OutcomeUnknownException extends DbAgentException {
    private static final long serialVersionUID = 1L;
    private final String database;
    private final String transactionId;

    /**
     * @param database the logical database name
     * @param transactionId the server's transaction id (xid8, as text) of the write in doubt
     * @param message what is known and why it could not be resolved
     * @param cause the failure seen during COMMIT
     */
    public OutcomeUnknownException(String database, String transactionId, String message, Throwable cause) {
        super(message, cause);
        this.database = database;
        this.transactionId = transactionId;
    }

    /** @return the logical database name */
    public String database() { return database; }

    /**
     * @return the transaction id (xid8, as text): look it up later with
     *     {@code SELECT pg_xact_status('<id>'::xid8)}, or reconcile by the write's own keys
     */
    public String transactionId() { return transactionId; }
}
