package dev.dbagent.schema.foundation;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A row of {@code officials}: an office holder whose actions the accountability ledger records.
 *
 * @param id             generated identifier
 * @param fullName       name
 * @param office         office held, e.g. "Senator"
 * @param party          party, or {@code null}
 * @param jurisdictionId the jurisdiction served
 * @param termStart      first day of the term
 * @param termEnd        last day of the term, or {@code null} while open-ended; never before {@code termStart}
 * @param createdAt      when the row was inserted
 */
public record Official(long id, String fullName, String office, String party, long jurisdictionId,
                       LocalDate termStart, LocalDate termEnd, Instant createdAt) {
}
