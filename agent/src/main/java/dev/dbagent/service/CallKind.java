package dev.dbagent.service;

import dev.dbagent.Intent;

/** The kind of a {@link DatabaseService} call: decides routing, retry rules and the metric names. */
public enum CallKind {
    /** {@link DatabaseService#read}: may go to a replica; read-only; retried when the connection is lost. */
    READ("read", Intent.READ),
    /** {@link DatabaseService#readOwnWrites}: the primary; read-only; retried when the connection is lost. */
    READ_OWN_WRITES("read", Intent.READ_OWN_WRITES),
    /** {@link DatabaseService#write}: the primary, one read-write transaction. */
    WRITE("write", Intent.WRITE),
    /** {@link DatabaseService#transaction}: the primary, a transaction with explicit options. */
    TRANSACTION("transaction", Intent.WRITE);

    private final String metricName;
    private final Intent intent;

    CallKind(String metricName, Intent intent) {
        this.metricName = metricName;
        this.intent = intent;
    }

    /** @return the {@code <kind>} segment of this call's metric names: read, write or transaction */
    public String metricName() {
        return metricName;
    }

    /** @return the routing intent of this kind of call */
    public Intent intent() {
        return intent;
    }
}
