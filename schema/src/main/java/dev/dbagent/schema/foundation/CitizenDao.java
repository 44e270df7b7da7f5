package dev.dbagent.schema.foundation;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Data access for {@code citizens}.
 *
 * <p>Thread-safety and errors as for every DAO of this module: on-demand instances are thread-safe,
 * each method blocks on one round trip and throws {@link org.jdbi.v3.core.JdbiException} when the
 * database refuses the statement.
 */
@RegisterConstructorMapper(Citizen.class)
public interface CitizenDao {

    /**
     * Inserts a citizen.
     *
     * @param email          address, unique case-insensitively (23505 if taken, 23514 if malformed)
     * @param displayName    1 to 100 characters
     * @param jurisdictionId home jurisdiction or {@code null}
     * @return the stored row
     */
    @SqlQuery("INSERT INTO citizens (email, display_name, jurisdiction_id) VALUES (:email, :displayName, :jurisdictionId) "
            + "RETURNING id, email, display_name, jurisdiction_id, created_at")
    Citizen create(@Bind("email") String email, @Bind("displayName") String displayName,
                   @Bind("jurisdictionId") Long jurisdictionId);

    /**
     * Finds a citizen by id.
     *
     * @param id the identifier
     * @return the row, or empty if there is none
     */
    @SqlQuery("SELECT id, email, display_name, jurisdiction_id, created_at FROM citizens WHERE id = :id")
    Optional<Citizen> findById(@Bind("id") long id);

    /**
     * Finds a citizen by e-mail address, ignoring case (uses the unique index on {@code lower(email)}).
     *
     * @param email the address
     * @return the row, or empty if there is none
     */
    @SqlQuery("SELECT id, email, display_name, jurisdiction_id, created_at FROM citizens WHERE lower(email) = lower(:email)")
    Optional<Citizen> findByEmail(@Bind("email") String email);

    /**
     * Lists citizens in id order, one page at a time (keyset paging).
     *
     * @param afterId the last id of the previous page, {@code 0} for the first page
     * @param limit   the page size
     * @return at most {@code limit} rows with {@code id > afterId}
     */
    @SqlQuery("SELECT id, email, display_name, jurisdiction_id, created_at FROM citizens WHERE id > :afterId "
            + "ORDER BY id LIMIT :limit")
    List<Citizen> list(@Bind("afterId") long afterId, @Bind("limit") int limit);
}
