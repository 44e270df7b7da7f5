package dev.dbagent.schema.arguments;

/** Which side of a bill an argument takes. Stored in lower case ({@code arguments.stance}). */
public enum ArgumentStance {
    /** For the bill. */
    FOR,
    /** Against the bill. */
    AGAINST
}
