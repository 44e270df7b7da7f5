package dev.dbagent.schema.foundation;

import java.time.Instant;

/**
 * A row of {@code bill_status_history}, written by the database for every accepted status change.
 *
 * @param id         generated identifier, increasing in the order of changes
 * @param billId     the bill
 * @param fromStatus the state before
 * @param toStatus   the state after
 * @param changedAt  when the change happened
 */
public record BillStatusChange(long id, long billId, BillStatus fromStatus, BillStatus toStatus, Instant changedAt) {
}
