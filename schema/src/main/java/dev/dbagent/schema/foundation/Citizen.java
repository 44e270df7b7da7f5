package dev.dbagent.schema.foundation;

import java.time.Instant;

/**
 * A row of {@code citizens}: a user who takes part.
 *
 * @param id             generated identifier
 * @param email          e-mail address, unique whatever its capitalisation
 * @param displayName    name shown to others
 * @param jurisdictionId home jurisdiction, or {@code null}
 * @param createdAt      when the row was inserted
 */
public record Citizen(long id, String email, String displayName, Long jurisdictionId, Instant createdAt) {

    /** Shows the id only: an e-mail address is personal data and stays out of logs. */
    @Override
    public String toString() {
        return "Citizen[id=" + id + "]";
    }
}
