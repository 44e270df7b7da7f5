package dev.dbagent.schema.foundation;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Data access for {@code bills} and their status history.
 *
 * <p>On-demand instances are thread-safe; each method blocks on one round trip and throws
 * {@link org.jdbi.v3.core.JdbiException} when the database refuses the statement. Status changes
 * are validated by the database, not here: an illegal move throws with SQLSTATE 23514.
 */
@RegisterConstructorMapper(Bill.class)
@RegisterConstructorMapper(BillStatusChange.class)
public interface BillDao {

    /**
     * Inserts a bill in state {@link BillStatus#DRAFT}.
     *
     * @param jurisdictionId the jurisdiction (23503 if it does not exist)
     * @param number         number, unique within the jurisdiction (23505 if taken)
     * @param title          title, not blank
     * @param summary        summary, may be empty
     * @param sponsorId      sponsoring official or {@code null}
     * @return the stored row
     */
    @SqlQuery("INSERT INTO bills (jurisdiction_id, number, title, summary, sponsor_id) "
            + "VALUES (:jurisdictionId, :number, :title, :summary, :sponsorId) "
            + "RETURNING id, jurisdiction_id, number, title, summary, status, sponsor_id, created_at, status_changed_at")
    Bill create(@Bind("jurisdictionId") long jurisdictionId, @Bind("number") String number, @Bind("title") String title,
                @Bind("summary") String summary, @Bind("sponsorId") Long sponsorId);

    /**
     * Finds a bill by id.
     *
     * @param id the identifier
     * @return the row, or empty if there is none
     */
    @SqlQuery("SELECT id, jurisdiction_id, number, title, summary, status, sponsor_id, created_at, status_changed_at "
            + "FROM bills WHERE id = :id")
    Optional<Bill> findById(@Bind("id") long id);

    /**
     * Lists bills in id order (keyset paging).
     *
     * @param afterId the last id of the previous page, {@code 0} for the first page
     * @param limit   the page size
     * @return at most {@code limit} rows with {@code id > afterId}
     */
    @SqlQuery("SELECT id, jurisdiction_id, number, title, summary, status, sponsor_id, created_at, status_changed_at "
            + "FROM bills WHERE id > :afterId ORDER BY id LIMIT :limit")
    List<Bill> list(@Bind("afterId") long afterId, @Bind("limit") int limit);

    /**
     * Lists the bills in one state, in id order (keyset paging, served by index {@code bills_status_ix}).
     *
     * @param status  the state
     * @param afterId the last id of the previous page, {@code 0} for the first page
     * @param limit   the page size
     * @return at most {@code limit} rows
     */
    @SqlQuery("SELECT id, jurisdiction_id, number, title, summary, status, sponsor_id, created_at, status_changed_at "
            + "FROM bills WHERE status = lower(:status) AND id > :afterId ORDER BY id LIMIT :limit")
    List<Bill> listByStatus(@Bind("status") BillStatus status, @Bind("afterId") long afterId, @Bind("limit") int limit);

    /**
     * Moves a bill to another state. The database checks the move against the lifecycle described
     * in {@link BillStatus} and records it in {@code bill_status_history}.
     *
     * @param id     the bill
     * @param status the new state
     * @return the updated row, or empty if there is no such bill
     * @throws org.jdbi.v3.core.JdbiException with SQLSTATE 23514 if the move is not allowed
     */
    @SqlQuery("UPDATE bills SET status = lower(:status) WHERE id = :id "
            + "RETURNING id, jurisdiction_id, number, title, summary, status, sponsor_id, created_at, status_changed_at")
    Optional<Bill> changeStatus(@Bind("id") long id, @Bind("status") BillStatus status);

    /**
     * The status changes of one bill, oldest first.
     *
     * @param billId the bill
     * @return its history, empty for a bill still in draft or for an unknown bill
     */
    @SqlQuery("SELECT id, bill_id, from_status, to_status, changed_at FROM bill_status_history "
            + "WHERE bill_id = :billId ORDER BY id")
    List<BillStatusChange> statusHistory(@Bind("billId") long billId);
}
