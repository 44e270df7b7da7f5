package dev.dbagent.schema.accountability;

import java.time.Instant;

/**
 * A row of {@code accountability_ledger}.
 *
 * @param id          the chain position: 1 for the first entry, then consecutive
 * @param officialId  the official who acted
 * @param billId      the bill concerned, or {@code null}
 * @param action      what the official did
 * @param details     a JSON object with further details, in PostgreSQL's canonical {@code jsonb} text form
 * @param occurredAt  when the action happened
 * @param recordedAt  when the entry was recorded (set by the database)
 * @param prevHash    the previous entry's hash (hex), {@code null} for the first entry
 * @param hash        this entry's SHA-256 (64 hex digits), computed by the database
 */
public record LedgerEntry(long id, long officialId, Long billId, LedgerAction action, String details,
                          Instant occurredAt, Instant recordedAt, String prevHash, String hash) {
}
