package dev.dbagent.schema.foundation;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Data access for {@code officials}.
 *
 * <p>On-demand instances are thread-safe; each method blocks on one round trip and throws
 * {@link org.jdbi.v3.core.JdbiException} when the database refuses the statement.
 */
@RegisterConstructorMapper(Official.class)
public interface OfficialDao {

    /**
     * Inserts an official.
     *
     * @param fullName       name, not blank
     * @param office         office, not blank
     * @param party          party or {@code null}
     * @param jurisdictionId jurisdiction served (23503 if it does not exist)
     * @param termStart      first day of the term
     * @param termEnd        last day or {@code null} (23514 if before {@code termStart})
     * @return the stored row
     */
    @SqlQuery("INSERT INTO officials (full_name, office, party, jurisdiction_id, term_start, term_end) "
            + "VALUES (:fullName, :office, :party, :jurisdictionId, :termStart, :termEnd) "
            + "RETURNING id, full_name, office, party, jurisdiction_id, term_start, term_end, created_at")
    Official create(@Bind("fullName") String fullName, @Bind("office") String office, @Bind("party") String party,
                    @Bind("jurisdictionId") long jurisdictionId, @Bind("termStart") LocalDate termStart,
                    @Bind("termEnd") LocalDate termEnd);

    /**
     * Finds an official by id.
     *
     * @param id the identifier
     * @return the row, or empty if there is none
     */
    @SqlQuery("SELECT id, full_name, office, party, jurisdiction_id, term_start, term_end, created_at "
            + "FROM officials WHERE id = :id")
    Optional<Official> findById(@Bind("id") long id);

    /**
     * Lists the officials of one jurisdiction in id order (keyset paging).
     *
     * @param jurisdictionId the jurisdiction
     * @param afterId        the last id of the previous page, {@code 0} for the first page
     * @param limit          the page size
     * @return at most {@code limit} rows
     */
    @SqlQuery("SELECT id, full_name, office, party, jurisdiction_id, term_start, term_end, created_at "
            + "FROM officials WHERE jurisdiction_id = :jurisdictionId AND id > :afterId ORDER BY id LIMIT :limit")
    List<Official> listByJurisdiction(@Bind("jurisdictionId") long jurisdictionId, @Bind("afterId") long afterId,
                                      @Bind("limit") int limit);
}
