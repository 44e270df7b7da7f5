package dev.dbagent.schema.arguments;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Data access for {@code arguments}.
 *
 * <p>On-demand instances are thread-safe; each method blocks on one round trip and throws
 * {@link org.jdbi.v3.core.JdbiException} when the database refuses the statement.
 */
@RegisterConstructorMapper(Argument.class)
public interface ArgumentDao {

    /**
     * Adds an argument, not yet scored.
     *
     * @param billId   the bill (23503 if it does not exist)
     * @param authorId the author or {@code null}
     * @param stance   for or against
     * @param title    1 to 300 characters (23514 otherwise)
     * @param body     not blank (23514 otherwise)
     * @return the stored row
     */
    @SqlQuery("INSERT INTO arguments (bill_id, author_id, stance, title, body) "
            + "VALUES (:billId, :authorId, lower(:stance), :title, :body) "
            + "RETURNING id, bill_id, author_id, stance, title, body, quality_score, created_at")
    Argument create(@Bind("billId") long billId, @Bind("authorId") Long authorId, @Bind("stance") ArgumentStance stance,
                    @Bind("title") String title, @Bind("body") String body);

    /**
     * Finds an argument by id.
     *
     * @param id the identifier
     * @return the row, or empty if there is none
     */
    @SqlQuery("SELECT id, bill_id, author_id, stance, title, body, quality_score, created_at FROM arguments WHERE id = :id")
    Optional<Argument> findById(@Bind("id") long id);

    /**
     * Lists the arguments on a bill in id order (keyset paging).
     *
     * @param billId  the bill
     * @param afterId the last id of the previous page, {@code 0} for the first page
     * @param limit   the page size
     * @return at most {@code limit} rows
     */
    @SqlQuery("SELECT id, bill_id, author_id, stance, title, body, quality_score, created_at FROM arguments "
            + "WHERE bill_id = :billId AND id > :afterId ORDER BY id LIMIT :limit")
    List<Argument> listByBill(@Bind("billId") long billId, @Bind("afterId") long afterId, @Bind("limit") int limit);

    /**
     * The best arguments on one side of a bill: highest quality first, unscored ones last.
     *
     * @param billId the bill
     * @param stance the side
     * @param limit  how many
     * @return at most {@code limit} rows
     */
    @SqlQuery("SELECT id, bill_id, author_id, stance, title, body, quality_score, created_at FROM arguments "
            + "WHERE bill_id = :billId AND stance = lower(:stance) "
            + "ORDER BY quality_score DESC NULLS LAST, id LIMIT :limit")
    List<Argument> strongest(@Bind("billId") long billId, @Bind("stance") ArgumentStance stance, @Bind("limit") int limit);

    /**
     * Sets an argument's quality score.
     *
     * @param id    the argument
     * @param score in [0, 1] (23514 otherwise); rounded to three decimals
     * @return the updated row, or empty if there is no such argument
     */
    @SqlQuery("UPDATE arguments SET quality_score = :score WHERE id = :id "
            + "RETURNING id, bill_id, author_id, stance, title, body, quality_score, created_at")
    Optional<Argument> score(@Bind("id") long id, @Bind("score") BigDecimal score);
}
