package dev.dbagent.schema.foundation;

import java.time.Instant;

/**
 * A row of {@code bills}.
 *
 * @param id              generated identifier
 * @param jurisdictionId  the jurisdiction the bill belongs to
 * @param number          the bill's number, unique within its jurisdiction (e.g. "HB 12")
 * @param title           title
 * @param summary         summary, possibly empty
 * @param status          current lifecycle state
 * @param sponsorId       sponsoring official, or {@code null}
 * @param createdAt       when the row was inserted
 * @param statusChangedAt when {@code status} last changed (set by the database)
 */
public record Bill(long id, long jurisdictionId, String number, String title, String summary, BillStatus status,
                   Long sponsorId, Instant createdAt, Instant statusChangedAt) {
}
