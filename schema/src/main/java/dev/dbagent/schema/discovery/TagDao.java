package dev.dbagent.schema.discovery;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Data access for {@code tags} and {@code bill_tags}.
 *
 * <p>On-demand instances are thread-safe; each method blocks on one round trip and throws
 * {@link org.jdbi.v3.core.JdbiException} when the database refuses the statement.
 */
@RegisterConstructorMapper(Tag.class)
public interface TagDao {

    /**
     * Creates a tag.
     *
     * @param name lower-case letters, digits and dashes (23514 otherwise), unique (23505 if taken)
     * @return the stored row
     */
    @SqlQuery("INSERT INTO tags (name) VALUES (:name) RETURNING id, name, created_at")
    Tag create(@Bind("name") String name);

    /**
     * Finds a tag by id.
     *
     * @param id the identifier
     * @return the row, or empty if there is none
     */
    @SqlQuery("SELECT id, name, created_at FROM tags WHERE id = :id")
    Optional<Tag> findById(@Bind("id") long id);

    /**
     * Finds a tag by name.
     *
     * @param name the name
     * @return the row, or empty if there is none
     */
    @SqlQuery("SELECT id, name, created_at FROM tags WHERE name = :name")
    Optional<Tag> findByName(@Bind("name") String name);

    /**
     * Lists tags in name order (keyset paging on the name).
     *
     * @param afterName the last name of the previous page, {@code ""} for the first page
     * @param limit     the page size
     * @return at most {@code limit} rows
     */
    @SqlQuery("SELECT id, name, created_at FROM tags WHERE name > :afterName ORDER BY name LIMIT :limit")
    List<Tag> list(@Bind("afterName") String afterName, @Bind("limit") int limit);

    /**
     * Tags a bill; tagging it twice with the same tag is harmless.
     *
     * @param billId the bill (23503 if it does not exist)
     * @param tagId  the tag (23503 if it does not exist)
     * @return {@code true} if the tag was added, {@code false} if the bill already had it
     */
    @SqlUpdate("INSERT INTO bill_tags (bill_id, tag_id) VALUES (:billId, :tagId) ON CONFLICT DO NOTHING")
    boolean tagBill(@Bind("billId") long billId, @Bind("tagId") long tagId);

    /**
     * Removes a tag from a bill.
     *
     * @param billId the bill
     * @param tagId  the tag
     * @return {@code true} if the bill had the tag
     */
    @SqlUpdate("DELETE FROM bill_tags WHERE bill_id = :billId AND tag_id = :tagId")
    boolean untagBill(@Bind("billId") long billId, @Bind("tagId") long tagId);

    /**
     * The tags of a bill, in name order.
     *
     * @param billId the bill
     * @return its tags
     */
    @SqlQuery("SELECT t.id, t.name, t.created_at FROM tags t JOIN bill_tags bt ON bt.tag_id = t.id "
            + "WHERE bt.bill_id = :billId ORDER BY t.name")
    List<Tag> tagsOf(@Bind("billId") long billId);

    /**
     * The ids of the bills carrying a tag, in id order (keyset paging).
     *
     * @param tagName the tag's name
     * @param afterId the last bill id of the previous page, {@code 0} for the first page
     * @param limit   the page size
     * @return at most {@code limit} bill ids
     */
    @SqlQuery("SELECT bt.bill_id FROM bill_tags bt JOIN tags t ON t.id = bt.tag_id "
            + "WHERE t.name = :tagName AND bt.bill_id > :afterId ORDER BY bt.bill_id LIMIT :limit")
    List<Long> billIdsTagged(@Bind("tagName") String tagName, @Bind("afterId") long afterId, @Bind("limit") int limit);
}
