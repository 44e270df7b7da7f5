package dev.dbagent.schema.participation;

import java.time.Instant;

/**
 * A row of {@code petitions}.
 *
 * @param id            generated identifier
 * @param billId        the bill petitioned about, or {@code null}
 * @param creatorId     the citizen who started it
 * @param title         title, not blank
 * @param body          text, may be empty
 * @param signatureGoal signatures wanted, positive
 * @param closesAt      when it stops taking signatures, or {@code null} if it never closes
 * @param createdAt     when the row was inserted
 */
public record Petition(long id, Long billId, long creatorId, String title, String body, int signatureGoal,
                       Instant closesAt, Instant createdAt) {
}
