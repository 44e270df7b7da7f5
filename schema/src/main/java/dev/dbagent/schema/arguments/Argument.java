package dev.dbagent.schema.arguments;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A row of {@code arguments}.
 *
 * @param id           generated identifier
 * @param billId       the bill argued about
 * @param authorId     the citizen who wrote it, or {@code null} (unknown or deleted author)
 * @param stance       for or against the bill
 * @param title        title, 1 to 300 characters
 * @param body         text
 * @param qualityScore assessed quality in [0, 1] with three decimals, or {@code null} until assessed
 * @param createdAt    when the row was inserted
 */
public record Argument(long id, long billId, Long authorId, ArgumentStance stance, String title, String body,
                       BigDecimal qualityScore, Instant createdAt) {
}
