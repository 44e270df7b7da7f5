package dev.dbagent.schema.discovery;

/**
 * One result of a full-text search.
 *
 * @param kind   bill or argument
 * @param id     the bill's or the argument's id
 * @param billId the bill (the hit itself for a bill, the bill argued about for an argument)
 * @param title  the hit's title
 * @param rank   {@code ts_rank} of the hit against the query; higher is better
 */
public record SearchHit(SearchHitKind kind, long id, long billId, String title, float rank) {
}
