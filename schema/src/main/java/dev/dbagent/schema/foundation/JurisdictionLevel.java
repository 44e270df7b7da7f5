package dev.dbagent.schema.foundation;

/**
 * The level of government a jurisdiction belongs to. Stored in lower case
 * ({@code jurisdictions.level}); the database refuses any other value.
 */
public enum JurisdictionLevel {
    /** A national government. */
    FEDERAL,
    /** A state or province. */
    STATE,
    /** A county or district. */
    COUNTY,
    /** A city, town or village. */
    MUNICIPAL
}
