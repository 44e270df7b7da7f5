package dev.dbagent.ops;

/**
 * Receives every audited operation (e.g. the JMX layer turns them into notifications). Called
 * synchronously on the thread that ran the operation, after it finished; must not block for long.
 * An exception thrown by a listener is logged and does not change the operation's result.
 */
@FunctionalInterface
public interface AuditListener {
    /** @param event the operation that just finished or was refused */
    void onOperation(AuditEvent event);
}
