package dev.dbagent.schema.arguments;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Data access for {@code claims} and their {@code evidence_links}.
 *
 * <p>On-demand instances are thread-safe; each method blocks on one round trip and throws
 * {@link org.jdbi.v3.core.JdbiException} when the database refuses the statement.
 */
@RegisterConstructorMapper(Claim.class)
@RegisterConstructorMapper(EvidenceLink.class)
public interface ClaimDao {

    /**
     * Adds a claim to an argument.
     *
     * @param argumentId the argument (23503 if it does not exist)
     * @param statement  not blank (23514 otherwise)
     * @param confidence in [0, 1] or {@code null} (23514 if out of range)
     * @return the stored row
     */
    @SqlQuery("INSERT INTO claims (argument_id, statement, confidence) VALUES (:argumentId, :statement, :confidence) "
            + "RETURNING id, argument_id, statement, confidence, created_at")
    Claim create(@Bind("argumentId") long argumentId, @Bind("statement") String statement,
                 @Bind("confidence") BigDecimal confidence);

    /**
     * Finds a claim by id.
     *
     * @param id the identifier
     * @return the row, or empty if there is none
     */
    @SqlQuery("SELECT id, argument_id, statement, confidence, created_at FROM claims WHERE id = :id")
    Optional<Claim> findById(@Bind("id") long id);

    /**
     * The claims of an argument, in the order they were added.
     *
     * @param argumentId the argument
     * @return its claims
     */
    @SqlQuery("SELECT id, argument_id, statement, confidence, created_at FROM claims "
            + "WHERE argument_id = :argumentId ORDER BY id")
    List<Claim> listByArgument(@Bind("argumentId") long argumentId);

    /**
     * Links a source to a claim.
     *
     * @param claimId     the claim (23503 if it does not exist)
     * @param url         http(s) URL (23514 otherwise), not yet linked to this claim (23505 otherwise)
     * @param sourceKind  the kind of source
     * @param description what it shows
     * @return the stored row
     */
    @SqlQuery("INSERT INTO evidence_links (claim_id, url, source_kind, description) "
            + "VALUES (:claimId, :url, lower(:sourceKind), :description) "
            + "RETURNING id, claim_id, url, source_kind, description, created_at")
    EvidenceLink addEvidence(@Bind("claimId") long claimId, @Bind("url") String url,
                             @Bind("sourceKind") EvidenceSourceKind sourceKind, @Bind("description") String description);

    /**
     * The evidence linked to a claim, in the order it was added.
     *
     * @param claimId the claim
     * @return its evidence
     */
    @SqlQuery("SELECT id, claim_id, url, source_kind, description, created_at FROM evidence_links "
            + "WHERE claim_id = :claimId ORDER BY id")
    List<EvidenceLink> evidenceOf(@Bind("claimId") long claimId);
}
