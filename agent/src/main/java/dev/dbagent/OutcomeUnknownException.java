package dev.dbagent;

/**
 * The connection died while a COMMIT was in flight and the outcome could not be resolved (the
 * transaction id was unknown, or the server could not be asked). The write may or may not have
 * happened: the caller must check before repeating it. dbagent never retries such a write.
 */
public final class OutcomeUnknownException extends DbAgentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is known: database, transaction id if any
     * @param cause the failure seen during COMMIT
     */
    public OutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
