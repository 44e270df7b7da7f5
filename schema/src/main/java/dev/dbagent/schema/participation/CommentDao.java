package dev.dbagent.schema.participation;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Data access for {@code comments}.
 *
 * <p>On-demand instances are thread-safe; each method blocks on one round trip and throws
 * {@link org.jdbi.v3.core.JdbiException} when the database refuses the statement.
 */
@RegisterConstructorMapper(Comment.class)
@RegisterConstructorMapper(ThreadedComment.class)
public interface CommentDao {

    /**
     * Adds a comment or a reply.
     *
     * @param billId    the bill (23503 if it does not exist)
     * @param citizenId the author (23503 if unknown)
     * @param parentId  the comment replied to, or {@code null}; it must be on the same bill (23503 otherwise)
     * @param body      text, 1 to 10000 characters after trimming (23514 otherwise)
     * @return the stored row
     */
    @SqlQuery("INSERT INTO comments (bill_id, citizen_id, parent_id, body) VALUES (:billId, :citizenId, :parentId, :body) "
            + "RETURNING id, bill_id, citizen_id, parent_id, body, created_at")
    Comment create(@Bind("billId") long billId, @Bind("citizenId") long citizenId, @Bind("parentId") Long parentId,
                   @Bind("body") String body);

    /**
     * Finds a comment by id.
     *
     * @param id the identifier
     * @return the row, or empty if there is none
     */
    @SqlQuery("SELECT id, bill_id, citizen_id, parent_id, body, created_at FROM comments WHERE id = :id")
    Optional<Comment> findById(@Bind("id") long id);

    /**
     * Lists the comments on a bill, replies included, in id order (keyset paging).
     *
     * @param billId  the bill
     * @param afterId the last id of the previous page, {@code 0} for the first page
     * @param limit   the page size
     * @return at most {@code limit} rows
     */
    @SqlQuery("SELECT id, bill_id, citizen_id, parent_id, body, created_at FROM comments "
            + "WHERE bill_id = :billId AND id > :afterId ORDER BY id LIMIT :limit")
    List<Comment> listByBill(@Bind("billId") long billId, @Bind("afterId") long afterId, @Bind("limit") int limit);

    /**
     * A whole thread in reading order: the root comment, then each reply followed by its own
     * replies (depth first, oldest first at every level).
     *
     * @param rootId the comment the thread starts from (need not be top-level)
     * @return the thread, empty if there is no such comment
     */
    @SqlQuery("WITH RECURSIVE thread AS ("
            + " SELECT id, parent_id, citizen_id, body, created_at, 0 AS depth, ARRAY[id] AS path"
            + " FROM comments WHERE id = :rootId"
            + " UNION ALL"
            + " SELECT c.id, c.parent_id, c.citizen_id, c.body, c.created_at, t.depth + 1, t.path || c.id"
            + " FROM comments c JOIN thread t ON c.parent_id = t.id)"
            + " SELECT id, parent_id, citizen_id, body, depth, created_at FROM thread ORDER BY path")
    List<ThreadedComment> thread(@Bind("rootId") long rootId);
}
