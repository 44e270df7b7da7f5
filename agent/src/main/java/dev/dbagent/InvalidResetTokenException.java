package dev.dbagent;

/**
 * A reset was refused because its token is unknown, already used, superseded by a newer one, or
 * expired. Nothing was changed; call {@code prepareReset} again and use its token once.
 */
public final class InvalidResetTokenException extends OperationRefusedException {
    private static final long serialVersionUID = 1L;

    /** @param reason what is wrong with the token (never the token itself) */
    public InvalidResetTokenException(String reason) {
        super(reason);
    }
}
