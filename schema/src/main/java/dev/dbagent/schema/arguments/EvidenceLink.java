package dev.dbagent.schema.arguments;

import java.time.Instant;

/**
 * A row of {@code evidence_links}: a source backing a claim.
 *
 * @param id          generated identifier
 * @param claimId     the claim
 * @param url         an http or https URL, unique per claim
 * @param sourceKind  the kind of source
 * @param description what the source shows, may be empty
 * @param createdAt   when the row was inserted
 */
public record EvidenceLink(long id, long claimId, String url, EvidenceSourceKind sourceKind, String description,
                           Instant createdAt) {
}
