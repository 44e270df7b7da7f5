package dev.dbagent.schema.foundation;

/**
 * Where a bill is in its life. Stored in lower case ({@code bills.status}).
 *
 * <p>The database (trigger {@code bills_status_guard}) accepts only these moves; anything else
 * fails with SQLSTATE 23514 and the message {@code illegal bill status transition <from> -> <to>}:
 * <pre>
 * draft      -&gt; introduced | withdrawn
 * introduced -&gt; committee  | withdrawn
 * committee  -&gt; floor      | failed | withdrawn
 * floor      -&gt; passed     | failed
 * passed     -&gt; enacted    | vetoed
 * vetoed     -&gt; enacted                 (veto overridden)
 * failed, enacted, withdrawn: final
 * </pre>
 */
public enum BillStatus {
    /** Being written; every bill is inserted in this state. */
    DRAFT,
    /** Formally introduced. */
    INTRODUCED,
    /** In committee. */
    COMMITTEE,
    /** On the floor for a vote. */
    FLOOR,
    /** Passed the vote, awaiting signature. */
    PASSED,
    /** Defeated in committee or on the floor. Final. */
    FAILED,
    /** Law. Final. */
    ENACTED,
    /** Vetoed; may still be enacted by an override. */
    VETOED,
    /** Withdrawn by its sponsor before a vote. Final. */
    WITHDRAWN
}
