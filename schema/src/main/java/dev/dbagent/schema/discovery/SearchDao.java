package dev.dbagent.schema.discovery;

import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Ranked full-text search over bills and arguments.
 *
 * <p>Queries use web-search syntax ({@code websearch_to_tsquery('english', ...)}): words are
 * ANDed, {@code "quoted phrases"}, {@code or} and {@code -excluded} work, and malformed input
 * never raises an error. Results are ordered by {@code ts_rank} (descending), then by id, and use
 * the GIN indexes on the generated {@code search_vector} columns. On-demand instances are
 * thread-safe; each method blocks on one round trip.
 */
@RegisterConstructorMapper(SearchHit.class)
public interface SearchDao {

    /**
     * Searches bills (title and number weigh more than the summary).
     *
     * @param query web-search style query
     * @param limit at most this many hits
     * @return hits of kind {@link SearchHitKind#BILL}, best first; empty if nothing matches or the
     *         query has no searchable words
     */
    @SqlQuery("SELECT 'BILL' AS kind, b.id, b.id AS bill_id, b.title, ts_rank(b.search_vector, q) AS rank "
            + "FROM bills b, websearch_to_tsquery('english', :query) q "
            + "WHERE b.search_vector @@ q ORDER BY rank DESC, b.id LIMIT :limit")
    List<SearchHit> searchBills(@Bind("query") String query, @Bind("limit") int limit);

    /**
     * Searches arguments (title weighs more than the body).
     *
     * @param query web-search style query
     * @param limit at most this many hits
     * @return hits of kind {@link SearchHitKind#ARGUMENT}, best first
     */
    @SqlQuery("SELECT 'ARGUMENT' AS kind, a.id, a.bill_id, a.title, ts_rank(a.search_vector, q) AS rank "
            + "FROM arguments a, websearch_to_tsquery('english', :query) q "
            + "WHERE a.search_vector @@ q ORDER BY rank DESC, a.id LIMIT :limit")
    List<SearchHit> searchArguments(@Bind("query") String query, @Bind("limit") int limit);

    /**
     * Searches bills and arguments together, merged by rank.
     *
     * @param query web-search style query
     * @param limit at most this many hits in total
     * @return hits of both kinds, best first (ties: bills before arguments, then by id)
     */
    @SqlQuery("WITH q AS (SELECT websearch_to_tsquery('english', :query) AS q) "
            + "SELECT kind, id, bill_id, title, rank FROM ("
            + " SELECT 'BILL' AS kind, b.id, b.id AS bill_id, b.title, ts_rank(b.search_vector, q.q) AS rank"
            + " FROM bills b, q WHERE b.search_vector @@ q.q"
            + " UNION ALL"
            + " SELECT 'ARGUMENT', a.id, a.bill_id, a.title, ts_rank(a.search_vector, q.q)"
            + " FROM arguments a, q WHERE a.search_vector @@ q.q) hits "
            + "ORDER BY rank DESC, kind DESC, id LIMIT :limit")
    List<SearchHit> searchAll(@Bind("query") String query, @Bind("limit") int limit);
}
