package dev.dbagent.schema.participation;

import java.time.Instant;

/**
 * A row of {@code petition_signatures}: at most one per citizen per petition.
 *
 * @param petitionId the petition
 * @param citizenId  the signer
 * @param signedAt   when it was signed
 */
public record PetitionSignature(long petitionId, long citizenId, Instant signedAt) {
}
