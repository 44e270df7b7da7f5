package dev.dbagent.schema.discovery;

import java.time.Instant;

/**
 * A row of {@code saved_searches}: a query a citizen wants to run again.
 *
 * @param id        generated identifier
 * @param citizenId the owner
 * @param name      name, unique per owner
 * @param query     the web-search style query
 * @param notifyOnMatch whether the owner wants to hear about new hits
 * @param createdAt when the row was inserted
 */
public record SavedSearch(long id, long citizenId, String name, String query, boolean notifyOnMatch, Instant createdAt) {
}
