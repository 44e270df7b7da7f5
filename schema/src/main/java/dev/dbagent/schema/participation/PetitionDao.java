package dev.dbagent.schema.participation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Data access for {@code petitions} and {@code petition_signatures}.
 *
 * <p>On-demand instances are thread-safe; each method blocks on one round trip and throws
 * {@link org.jdbi.v3.core.JdbiException} when the database refuses the statement.
 */
@RegisterConstructorMapper(Petition.class)
@RegisterConstructorMapper(PetitionSignature.class)
public interface PetitionDao {

    /**
     * Starts a petition.
     *
     * @param billId        the bill or {@code null}
     * @param creatorId     the citizen starting it (23503 if unknown)
     * @param title         title, not blank
     * @param body          text
     * @param signatureGoal signatures wanted, positive (23514 otherwise)
     * @param closesAt      closing time or {@code null}; must be after creation (23514 otherwise)
     * @return the stored row
     */
    @SqlQuery("INSERT INTO petitions (bill_id, creator_id, title, body, signature_goal, closes_at) "
            + "VALUES (:billId, :creatorId, :title, :body, :signatureGoal, :closesAt) "
            + "RETURNING id, bill_id, creator_id, title, body, signature_goal, closes_at, created_at")
    Petition create(@Bind("billId") Long billId, @Bind("creatorId") long creatorId, @Bind("title") String title,
                    @Bind("body") String body, @Bind("signatureGoal") int signatureGoal,
                    @Bind("closesAt") Instant closesAt);

    /**
     * Finds a petition by id.
     *
     * @param id the identifier
     * @return the row, or empty if there is none
     */
    @SqlQuery("SELECT id, bill_id, creator_id, title, body, signature_goal, closes_at, created_at "
            + "FROM petitions WHERE id = :id")
    Optional<Petition> findById(@Bind("id") long id);

    /**
     * Lists petitions in id order (keyset paging).
     *
     * @param afterId the last id of the previous page, {@code 0} for the first page
     * @param limit   the page size
     * @return at most {@code limit} rows
     */
    @SqlQuery("SELECT id, bill_id, creator_id, title, body, signature_goal, closes_at, created_at "
            + "FROM petitions WHERE id > :afterId ORDER BY id LIMIT :limit")
    List<Petition> list(@Bind("afterId") long afterId, @Bind("limit") int limit);

    /**
     * Signs a petition.
     *
     * @param petitionId the petition (23503 if it does not exist)
     * @param citizenId  the signer (23503 if unknown)
     * @return the stored signature
     * @throws org.jdbi.v3.core.JdbiException with SQLSTATE 23505 if the citizen already signed, 23514
     *         if the petition has closed
     */
    @SqlQuery("INSERT INTO petition_signatures (petition_id, citizen_id) VALUES (:petitionId, :citizenId) "
            + "RETURNING petition_id, citizen_id, signed_at")
    PetitionSignature sign(@Bind("petitionId") long petitionId, @Bind("citizenId") long citizenId);

    /**
     * Counts a petition's signatures.
     *
     * @param petitionId the petition
     * @return the count, 0 for an unknown petition
     */
    @SqlQuery("SELECT count(*) FROM petition_signatures WHERE petition_id = :petitionId")
    long signatureCount(@Bind("petitionId") long petitionId);

    /**
     * Lists a petition's signatures in citizen id order (keyset paging).
     *
     * @param petitionId     the petition
     * @param afterCitizenId the last citizen id of the previous page, {@code 0} for the first page
     * @param limit          the page size
     * @return at most {@code limit} rows
     */
    @SqlQuery("SELECT petition_id, citizen_id, signed_at FROM petition_signatures "
            + "WHERE petition_id = :petitionId AND citizen_id > :afterCitizenId ORDER BY citizen_id LIMIT :limit")
    List<PetitionSignature> signatures(@Bind("petitionId") long petitionId, @Bind("afterCitizenId") long afterCitizenId,
                                       @Bind("limit") int limit);
}
