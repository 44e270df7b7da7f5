package dev.dbagent.schema.foundation;

import java.time.Instant;

/**
 * A row of {@code jurisdictions}: a place that makes laws.
 *
 * @param id        generated identifier
 * @param code      unique lower-case code such as {@code us-ca}
 * @param name      display name
 * @param level     level of government
 * @param parentId  the enclosing jurisdiction, or {@code null} for a top-level one
 * @param createdAt when the row was inserted
 */
public record Jurisdiction(long id, String code, String name, JurisdictionLevel level, Long parentId,
                           Instant createdAt) {
}
