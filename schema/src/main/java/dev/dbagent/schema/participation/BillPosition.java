package dev.dbagent.schema.participation;

import java.time.Instant;

/**
 * A row of {@code bill_positions}: one citizen's current position on one bill.
 *
 * @param billId    the bill
 * @param citizenId the citizen
 * @param stance    the position
 * @param updatedAt when the position was last taken
 */
public record BillPosition(long billId, long citizenId, Stance stance, Instant updatedAt) {
}
