package dev.dbagent;

/**
 * An operation was refused before it did anything, e.g. reset in production, a database without
 * a catalogue, or a destructive operation in the wrong environment. The message says why and,
 * where there is one, what to do instead. Nothing was changed.
 *
 * <p>Subtypes name refusals a caller can act on: {@link OperationBusyException} (try again
 * later) and {@link InvalidResetTokenException} (prepare a new token).
 */
public class OperationRefusedException extends DbAgentException {
    private static final long serialVersionUID = 1L;

    /** @param reason why the operation was refused */
    public OperationRefusedException(String reason) {
        super(reason);
    }
}
