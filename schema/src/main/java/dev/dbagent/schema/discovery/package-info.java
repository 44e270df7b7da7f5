/**
 * Advanced discovery: tags on bills, ranked full-text search over bills and arguments, saved
 * searches.
 *
 * <p>Tables {@code tags}, {@code bill_tags} and {@code saved_searches}, and the generated
 * {@code search_vector} columns of {@code bills} and {@code arguments} with their GIN indexes
 * (changelog {@code discovery.sql}). PostgreSQL recomputes the vectors on every write (title
 * weighted A, body/summary B, English stemming); {@link dev.dbagent.schema.discovery.SearchDao}
 * parses queries with {@code websearch_to_tsquery} (quotes, {@code or}, {@code -word}) and ranks
 * with {@code ts_rank}.
 */
package dev.dbagent.schema.discovery;
