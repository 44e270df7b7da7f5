/**
 * Accountability ledger: an append-only, hash-chained record of officials' actions.
 *
 * <p>Table {@code accountability_ledger} and view {@code accountability_ledger_verification}
 * (changelog {@code accountability.sql}). On insert the database assigns the entry's chain
 * position ({@code id = previous id + 1}, serialised by a transaction-scoped advisory lock) and
 * computes {@code hash = sha256(prev_hash | id | official | bill | action | details | occurred_at)}
 * with the built-in {@code sha256()} (no extension needed). {@code UPDATE}, {@code DELETE} and
 * {@code TRUNCATE} are refused by triggers with SQLSTATE 23001 and a message starting
 * {@code accountability_ledger is append-only}. Tampering that bypasses the triggers is found by
 * {@link dev.dbagent.schema.accountability.LedgerDao#firstBrokenEntry()}.
 */
package dev.dbagent.schema.accountability;
