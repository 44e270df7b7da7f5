package dev.dbagent.schema.discovery;

import java.time.Instant;

/**
 * A row of {@code tags}.
 *
 * @param id        generated identifier
 * @param name      unique, lower-case letters, digits and dashes, at most 50 characters
 * @param createdAt when the row was inserted
 */
public record Tag(long id, String name, Instant createdAt) {
}
