package dev.dbagent.schema.discovery;

/** What a search hit is. */
public enum SearchHitKind {
    /** A row of {@code bills}. */
    BILL,
    /** A row of {@code arguments}. */
    ARGUMENT
}
