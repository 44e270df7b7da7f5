package dev.dbagent.schema.participation;

import java.time.Instant;

/**
 * A row of {@code comments}.
 *
 * @param id        generated identifier
 * @param billId    the bill discussed
 * @param citizenId the author
 * @param parentId  the comment replied to (on the same bill), or {@code null} for a top-level comment
 * @param body      text, 1 to 10000 characters
 * @param createdAt when the row was inserted
 */
public record Comment(long id, long billId, long citizenId, Long parentId, String body, Instant createdAt) {
}
