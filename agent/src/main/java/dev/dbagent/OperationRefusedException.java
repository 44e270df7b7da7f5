package dev.dbagent;

/**
 * An operation was refused before it did anything, e.g. reset in production or with an expired
 * token. The message says why and, where there is one, what to do instead.
 */
public final class OperationRefusedException extends DbAgentException {
    private static final long serialVersionUID = 1L;

    /** @param reason why the operation was refused */
    public OperationRefusedException(String reason) {
        super(reason);
    }
}
