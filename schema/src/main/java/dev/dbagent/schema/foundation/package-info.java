/**
 * Foundation domain: jurisdictions, citizens, officials and bills.
 *
 * <p>Tables {@code jurisdictions}, {@code citizens}, {@code officials}, {@code bills} and
 * {@code bill_status_history} (changelog {@code foundation.sql}). The database enforces the bill
 * status lifecycle: a bill is inserted as {@link dev.dbagent.schema.foundation.BillStatus#DRAFT}
 * and only the moves listed in {@link dev.dbagent.schema.foundation.BillStatus} are accepted; any
 * other update of {@code status} fails with SQLSTATE 23514 (check_violation). Every accepted move is
 * appended to {@code bill_status_history}.
 *
 * <p>The DAOs are Jdbi SqlObject interfaces; obtain them with {@code handle.attach(BillDao.class)}
 * or {@code jdbi.onDemand(BillDao.class)}. Their SQL uses unqualified names, so the connection's
 * {@code search_path} selects the schema.
 */
package dev.dbagent.schema.foundation;
