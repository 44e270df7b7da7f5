package dev.dbagent.schema.accountability;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Data access for the accountability ledger. There is deliberately no update or delete method:
 * the database refuses both.
 *
 * <p>On-demand instances are thread-safe; each method blocks on one round trip and throws
 * {@link org.jdbi.v3.core.JdbiException} when the database refuses the statement.
 * {@link #record} holds a transaction-scoped lock until the surrounding transaction ends, so
 * appends from concurrent transactions queue behind each other; keep such transactions short.
 */
@RegisterConstructorMapper(LedgerEntry.class)
public interface LedgerDao {

    /**
     * Appends an entry. The database assigns {@code id}, {@code prev_hash}, {@code hash} and
     * {@code recorded_at}.
     *
     * @param officialId  the official (23503 if unknown)
     * @param billId      the bill or {@code null} (23503 if unknown)
     * @param action      what the official did
     * @param details     a JSON object as text, e.g. {@code {"vote":"roll call 12"}} (22P02 if not JSON,
     *                    23514 if not an object)
     * @param occurredAt  when it happened
     * @return the stored entry
     */
    @SqlQuery("INSERT INTO accountability_ledger (official_id, bill_id, action, details, occurred_at) "
            + "VALUES (:officialId, :billId, lower(:action), CAST(:details AS jsonb), :occurredAt) "
            + "RETURNING id, official_id, bill_id, action, details::text AS details, occurred_at, recorded_at, "
            + "prev_hash, hash")
    LedgerEntry record(@Bind("officialId") long officialId, @Bind("billId") Long billId,
                       @Bind("action") LedgerAction action, @Bind("details") String details,
                       @Bind("occurredAt") Instant occurredAt);

    /**
     * Finds an entry by its chain position.
     *
     * @param id the position
     * @return the entry, or empty if there is none
     */
    @SqlQuery("SELECT id, official_id, bill_id, action, details::text AS details, occurred_at, recorded_at, "
            + "prev_hash, hash FROM accountability_ledger WHERE id = :id")
    Optional<LedgerEntry> findById(@Bind("id") long id);

    /**
     * Lists entries in chain order (keyset paging).
     *
     * @param afterId the last id of the previous page, {@code 0} for the first page
     * @param limit   the page size
     * @return at most {@code limit} entries
     */
    @SqlQuery("SELECT id, official_id, bill_id, action, details::text AS details, occurred_at, recorded_at, "
            + "prev_hash, hash FROM accountability_ledger WHERE id > :afterId ORDER BY id LIMIT :limit")
    List<LedgerEntry> list(@Bind("afterId") long afterId, @Bind("limit") int limit);

    /**
     * Lists one official's entries in chain order (keyset paging).
     *
     * @param officialId the official
     * @param afterId    the last id of the previous page, {@code 0} for the first page
     * @param limit      the page size
     * @return at most {@code limit} entries
     */
    @SqlQuery("SELECT id, official_id, bill_id, action, details::text AS details, occurred_at, recorded_at, "
            + "prev_hash, hash FROM accountability_ledger WHERE official_id = :officialId AND id > :afterId "
            + "ORDER BY id LIMIT :limit")
    List<LedgerEntry> listByOfficial(@Bind("officialId") long officialId, @Bind("afterId") long afterId,
                                     @Bind("limit") int limit);

    /**
     * Verifies the whole hash chain: recomputes every entry's hash and checks every link to the
     * entry before it. Reads the whole table.
     *
     * @return the id of the first entry whose content no longer matches its hash or whose link to
     *         its predecessor is broken (an entry edited, inserted or removed behind the triggers'
     *         back); empty if the chain is intact
     */
    @SqlQuery("SELECT id FROM accountability_ledger_verification WHERE NOT (hash_ok AND link_ok) ORDER BY id LIMIT 1")
    Optional<Long> firstBrokenEntry();

    /**
     * Counts the entries.
     *
     * @return the number of entries
     */
    @SqlQuery("SELECT count(*) FROM accountability_ledger")
    long count();
}
