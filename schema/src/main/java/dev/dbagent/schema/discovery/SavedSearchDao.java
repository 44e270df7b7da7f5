package dev.dbagent.schema.discovery;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Data access for {@code saved_searches}.
 *
 * <p>On-demand instances are thread-safe; each method blocks on one round trip and throws
 * {@link org.jdbi.v3.core.JdbiException} when the database refuses the statement.
 */
@RegisterConstructorMapper(SavedSearch.class)
public interface SavedSearchDao {

    /**
     * Saves a search.
     *
     * @param citizenId the owner (23503 if unknown)
     * @param name      1 to 100 characters, unique per owner (23505 if taken)
     * @param query     1 to 500 characters
     * @param notifyOnMatch whether to notify about new hits
     * @return the stored row
     */
    @SqlQuery("INSERT INTO saved_searches (citizen_id, name, query, notify_on_match) VALUES (:citizenId, :name, :query, :notifyOnMatch) "
            + "RETURNING id, citizen_id, name, query, notify_on_match, created_at")
    SavedSearch create(@Bind("citizenId") long citizenId, @Bind("name") String name, @Bind("query") String query,
                       @Bind("notifyOnMatch") boolean notifyOnMatch);

    /**
     * Finds a saved search by id.
     *
     * @param id the identifier
     * @return the row, or empty if there is none
     */
    @SqlQuery("SELECT id, citizen_id, name, query, notify_on_match, created_at FROM saved_searches WHERE id = :id")
    Optional<SavedSearch> findById(@Bind("id") long id);

    /**
     * A citizen's saved searches in name order.
     *
     * @param citizenId the owner
     * @return the owner's saved searches
     */
    @SqlQuery("SELECT id, citizen_id, name, query, notify_on_match, created_at FROM saved_searches "
            + "WHERE citizen_id = :citizenId ORDER BY name")
    List<SavedSearch> listByCitizen(@Bind("citizenId") long citizenId);

    /**
     * Deletes a saved search.
     *
     * @param id the identifier
     * @return {@code true} if it existed
     */
    @SqlUpdate("DELETE FROM saved_searches WHERE id = :id")
    boolean delete(@Bind("id") long id);
}
