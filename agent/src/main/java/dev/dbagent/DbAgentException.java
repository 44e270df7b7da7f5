package dev.dbagent;

/**
 * Root of every exception dbagent throws at its API edge. Subtypes name distinct outcomes a caller
 * can act on: {@link BreakerOpenException}, {@link PoolExhaustedException},
 * {@link OutcomeUnknownException}, {@link InvalidConfigException}, {@link OperationRefusedException}.
 *
 * <p>Messages never contain a password; JDBC URLs in messages are masked.
 */
public class DbAgentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened, with the database/role/state it happened to */
    public DbAgentException(String message) {
        super(message);
    }

    /**
     * @param message what happened, with the database/role/state it happened to
     * @param cause the underlying failure
     */
    public DbAgentException(String message, Throwable cause) {
        super(message, cause);
    }
}
