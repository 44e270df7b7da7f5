package dev.dbagent.bench;

import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The benchmarks' DAO: the point select and the single-row write, as an application writes them. */
public interface Accounts {
    /**
     * @param aid an account id in 1..100,000
     * @return its balance
     */
    @SqlQuery(BenchDb.SELECT)
    int balance(int aid);

    /**
     * @param tid teller
     * @param aid account
     * @param delta amount
     * @return rows inserted
     */
    @SqlUpdate("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, 1, :aid, :delta, now())")
    int record(@Bind("tid") int tid, @Bind("aid") int aid, @Bind("delta") int delta);
}
