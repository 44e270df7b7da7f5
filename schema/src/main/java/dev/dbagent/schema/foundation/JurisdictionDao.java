package dev.dbagent.schema.foundation;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Data access for {@code jurisdictions}.
 *
 * <p>A Jdbi SqlObject: instances obtained with {@code jdbi.onDemand(...)} are thread-safe; instances
 * attached to a {@code Handle} share that handle's thread confinement. Every method blocks on one
 * round trip and throws {@link org.jdbi.v3.core.JdbiException} (wrapping the driver's
 * {@link java.sql.SQLException} with its SQLSTATE) when the database refuses the statement.
 */
@RegisterConstructorMapper(Jurisdiction.class)
public interface JurisdictionDao {

    /**
     * Inserts a jurisdiction.
     *
     * @param code     unique code, lower case letters, digits and dashes (23505 if taken, 23514 if malformed)
     * @param name     display name, not blank
     * @param level    level of government
     * @param parentId enclosing jurisdiction or {@code null} (23503 if it does not exist)
     * @return the stored row
     */
    @SqlQuery("INSERT INTO jurisdictions (code, name, level, parent_id) VALUES (:code, :name, lower(:level), :parentId) "
            + "RETURNING id, code, name, level, parent_id, created_at")
    Jurisdiction create(@Bind("code") String code, @Bind("name") String name, @Bind("level") JurisdictionLevel level,
                        @Bind("parentId") Long parentId);

    /**
     * Finds a jurisdiction by id.
     *
     * @param id the identifier
     * @return the row, or empty if there is none
     */
    @SqlQuery("SELECT id, code, name, level, parent_id, created_at FROM jurisdictions WHERE id = :id")
    Optional<Jurisdiction> findById(@Bind("id") long id);

    /**
     * Finds a jurisdiction by its code.
     *
     * @param code the unique code
     * @return the row, or empty if there is none
     */
    @SqlQuery("SELECT id, code, name, level, parent_id, created_at FROM jurisdictions WHERE code = :code")
    Optional<Jurisdiction> findByCode(@Bind("code") String code);

    /**
     * Lists jurisdictions in id order, one page at a time (keyset paging).
     *
     * @param afterId the last id of the previous page, {@code 0} for the first page
     * @param limit   the page size
     * @return at most {@code limit} rows with {@code id > afterId}
     */
    @SqlQuery("SELECT id, code, name, level, parent_id, created_at FROM jurisdictions WHERE id > :afterId "
            + "ORDER BY id LIMIT :limit")
    List<Jurisdiction> list(@Bind("afterId") long afterId, @Bind("limit") int limit);
}
