package dev.dbagent.ops;

/**
 * How an operation ended, decided by {@link Operations} and carried as a type to every surface
 * (audit trail, notifications, JMX exceptions, exit codes): nothing downstream reads a message to
 * learn it.
 */
public enum OperationOutcome {
    /** It did what was asked, or a check found nothing wrong. */
    SUCCEEDED,
    /** A check ran and answered "no" (a pending changeset, drift, a failing statement). */
    ANSWERED_NO,
    /** An operation that changes the database did not succeed, or a check could not run. */
    FAILED,
    /** It was refused before it started: environment, token, guard, missing catalogue. */
    REFUSED
}
