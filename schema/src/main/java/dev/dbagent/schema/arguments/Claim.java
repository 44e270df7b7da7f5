package dev.dbagent.schema.arguments;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A row of {@code claims}: one assertion an argument makes.
 *
 * @param id         generated identifier
 * @param argumentId the argument
 * @param statement  the assertion
 * @param confidence confidence in [0, 1], or {@code null} if not assessed
 * @param createdAt  when the row was inserted
 */
public record Claim(long id, long argumentId, String statement, BigDecimal confidence, Instant createdAt) {
}
