package dev.dbagent.schema.participation;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Data access for {@code bill_positions}.
 *
 * <p>On-demand instances are thread-safe; each method blocks on one round trip and throws
 * {@link org.jdbi.v3.core.JdbiException} when the database refuses the statement.
 */
@RegisterConstructorMapper(BillPosition.class)
public interface PositionDao {

    /**
     * Records a citizen's position on a bill, replacing any earlier one (a citizen has at most one
     * position per bill; concurrent calls for the same pair leave exactly one row).
     *
     * @param billId    the bill (23503 if it does not exist)
     * @param citizenId the citizen (23503 if unknown)
     * @param stance    the position
     * @return the stored row
     */
    @SqlQuery("INSERT INTO bill_positions (bill_id, citizen_id, stance) VALUES (:billId, :citizenId, lower(:stance)) "
            + "ON CONFLICT (bill_id, citizen_id) DO UPDATE SET stance = EXCLUDED.stance, updated_at = now() "
            + "RETURNING bill_id, citizen_id, stance, updated_at")
    BillPosition take(@Bind("billId") long billId, @Bind("citizenId") long citizenId, @Bind("stance") Stance stance);

    /**
     * A citizen's position on a bill.
     *
     * @param billId    the bill
     * @param citizenId the citizen
     * @return the position, or empty if the citizen has none
     */
    @SqlQuery("SELECT bill_id, citizen_id, stance, updated_at FROM bill_positions "
            + "WHERE bill_id = :billId AND citizen_id = :citizenId")
    Optional<BillPosition> find(@Bind("billId") long billId, @Bind("citizenId") long citizenId);

    /**
     * Lists the positions on a bill in citizen id order (keyset paging).
     *
     * @param billId         the bill
     * @param afterCitizenId the last citizen id of the previous page, {@code 0} for the first page
     * @param limit          the page size
     * @return at most {@code limit} rows
     */
    @SqlQuery("SELECT bill_id, citizen_id, stance, updated_at FROM bill_positions "
            + "WHERE bill_id = :billId AND citizen_id > :afterCitizenId ORDER BY citizen_id LIMIT :limit")
    List<BillPosition> listByBill(@Bind("billId") long billId, @Bind("afterCitizenId") long afterCitizenId,
                                  @Bind("limit") int limit);

    /**
     * Withdraws a citizen's position on a bill.
     *
     * @param billId    the bill
     * @param citizenId the citizen
     * @return {@code true} if there was a position to withdraw
     */
    @SqlUpdate("DELETE FROM bill_positions WHERE bill_id = :billId AND citizen_id = :citizenId")
    boolean withdraw(@Bind("billId") long billId, @Bind("citizenId") long citizenId);
}
