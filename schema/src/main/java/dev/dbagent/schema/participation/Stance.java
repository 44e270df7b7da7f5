package dev.dbagent.schema.participation;

/** A citizen's position on a bill. Stored in lower case ({@code bill_positions.stance}). */
public enum Stance {
    /** In favour. */
    SUPPORT,
    /** Against. */
    OPPOSE,
    /** Neither. */
    NEUTRAL
}
