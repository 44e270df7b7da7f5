package dev.dbagent.schema.participation;

import java.time.Instant;

/**
 * A comment placed in its thread: {@link CommentDao#thread} returns these in reading order (each
 * comment followed by its replies, depth first, oldest first).
 *
 * @param id        the comment
 * @param parentId  the comment replied to, {@code null} for the thread's root
 * @param citizenId the author
 * @param body      text
 * @param depth     0 for the root, 1 for a direct reply, and so on
 * @param createdAt when the comment was written
 */
public record ThreadedComment(long id, Long parentId, long citizenId, String body, int depth, Instant createdAt) {
}
