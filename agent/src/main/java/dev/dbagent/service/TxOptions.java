package dev.dbagent.service;

import java.time.Duration;
import java.util.Objects;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * How {@link DatabaseService#transaction} runs a transaction. Immutable and thread-safe.
 *
 * @param isolation isolation level; {@link TransactionIsolationLevel#UNKNOWN} keeps the server default
 * @param readOnly run as {@code READ ONLY}: routed like a read-own-writes call (primary), retried
 *     like a read when the connection is lost
 * @param timeout applied as {@code SET LOCAL statement_timeout} to every statement of the
 *     transaction; {@link Duration#ZERO} for none
 */
public record TxOptions(TransactionIsolationLevel isolation, boolean readOnly, Duration timeout) {

    /** Server-default isolation, read-write, no timeout: what {@link DatabaseService#write} uses. */
    public static final TxOptions DEFAULT = new TxOptions(TransactionIsolationLevel.UNKNOWN, false, Duration.ZERO);

    /**
     * Validates the values.
     *
     * @throws IllegalArgumentException if the timeout is negative
     *
     * @param isolation isolation level; {@link TransactionIsolationLevel#UNKNOWN} keeps the server default
     * @param readOnly run as {@code READ ONLY}: routed like a read-own-writes call (primary), retried like a read when the connection is lost
     * @param timeout applied as {@code SET LOCAL statement_timeout} to every statement of the transaction; {@link Duration#ZERO} for none
     */
    public TxOptions {
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, but was " + timeout);
        }
    }

    /**
     * @param isolation the isolation level
     * @return read-write options with that isolation level and no timeout
     */
    public static TxOptions isolation(TransactionIsolationLevel isolation) {
        return new TxOptions(isolation, false, Duration.ZERO);
    }

    /** @return read-write {@code SERIALIZABLE} options without timeout */
    public static TxOptions serializable() {
        return isolation(TransactionIsolationLevel.SERIALIZABLE);
    }

    /**
     * @param flag whether the transaction is read-only
     * @return a copy with the read-only flag set
     */
    public TxOptions withReadOnly(boolean flag) {
        return new TxOptions(isolation, flag, timeout);
    }

    /**
     * @param value the per-statement timeout, {@link Duration#ZERO} for none
     * @return a copy with the timeout set
     */
    public TxOptions withTimeout(Duration value) {
        return new TxOptions(isolation, readOnly, value);
    }
}
