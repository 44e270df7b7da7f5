package dev.dbagent.schema.accountability;

/** What an official did. Stored in lower case ({@code accountability_ledger.action}). */
public enum LedgerAction {
    /** Sponsored a bill. */
    SPONSORED,
    /** Co-sponsored a bill. */
    COSPONSORED,
    /** Voted for. */
    VOTED_YES,
    /** Voted against. */
    VOTED_NO,
    /** Abstained from a vote. */
    ABSTAINED,
    /** Signed a bill into law. */
    SIGNED,
    /** Vetoed a bill. */
    VETOED,
    /** Made a public statement. */
    STATEMENT
}
