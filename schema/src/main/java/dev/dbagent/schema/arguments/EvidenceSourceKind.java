package dev.dbagent.schema.arguments;

/** What kind of source a piece of evidence is. Stored in lower case ({@code evidence_links.source_kind}). */
public enum EvidenceSourceKind {
    /** A law or regulation. */
    STATUTE,
    /** A study or report. */
    STUDY,
    /** A news article. */
    NEWS,
    /** A government record (minutes, votes, filings). */
    OFFICIAL_RECORD,
    /** A data set. */
    DATASET,
    /** Anything else. */
    OTHER
}
