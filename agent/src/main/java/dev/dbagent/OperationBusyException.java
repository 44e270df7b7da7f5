package dev.dbagent;

/**
 * An operation that changes a database was refused because another one is running on the same
 * database in this agent; such operations run one at a time and a second one is refused rather
 * than queued (a migrate queued behind another would surprise whoever sent it minutes later).
 * Nothing was changed; try again when the running one has finished.
 */
public final class OperationBusyException extends OperationRefusedException {
    private static final long serialVersionUID = 1L;

    /** @param reason names the running operation and its caller */
    public OperationBusyException(String reason) {
        super(reason);
    }
}
