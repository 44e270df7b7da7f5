package dev.dbagent.mbeans;

/**
 * One connection pool: a database's primary or one of its replicas. Registered as
 * {@code dev.dbagent:type=Pool,agent=<name>,database=<db>,role=<primary|replica-N>}
 * ({@link ObjectNames#pool(String, String, String)}).
 *
 * <p>Attributes are a snapshot of the pool's counters taken when read; they never block. The
 * operations are the only live changes: nothing here resizes or reconfigures the pool.
 */
public interface PoolMXBean {

    /** @return the configured database name */
    String getDatabase();

    /** @return {@code primary} or {@code replica-N} */
    String getRole();

    /** @return the JDBC URL with any password or credential parameter masked as {@code ****} */
    String getJdbcUrl();

    /** @return connections open now, active plus idle */
    int getTotal();

    /** @return connections borrowed now */
    int getActive();

    /** @return connections open and idle in the pool now */
    int getIdle();

    /** @return threads waiting to borrow a connection now */
    int getWaiting();

    /** @return the most connections the pool opens */
    int getMaxTotal();

    /** @return the fewest idle connections the pool keeps open */
    int getMinIdle();

    /** @return median time a borrow waited for a connection, milliseconds, over the recent window */
    double getBorrowWaitP50Millis();

    /** @return 95th percentile of borrow wait, milliseconds, over the recent window */
    double getBorrowWaitP95Millis();

    /** @return 99th percentile of borrow wait, milliseconds, over the recent window */
    double getBorrowWaitP99Millis();

    /** @return connections opened since the pool started */
    long getCreatedCount();

    /** @return connections closed since the pool started */
    long getDestroyedCount();

    /** @return borrows since the pool started */
    long getBorrowedCount();

    /**
     * Closes every idle connection now; borrowed connections are untouched and the pool refills
     * to its minimum on its own schedule. Use after a failover or a credential rotation.
     *
     * <p>Blocks while the idle connections close (each close is bounded by the driver's socket
     * timeout).
     *
     * @return how many connections were closed
     * @throws IllegalStateException if the pool is closed
     */
    @Impact(Impact.Kind.ACTION)
    int evictIdleConnections();

    /**
     * Lists the connections borrowed right now, oldest first. Does not block on the database.
     *
     * @return one entry per borrowed connection; empty if none
     */
    @Impact(Impact.Kind.INFO)
    BorrowerInfo[] listBorrowers();

    /**
     * The same as {@link #listBorrowers()} as plain text, one block per borrower (thread, age,
     * borrowed-at, indented stack), for jmxterm and logs.
     *
     * @return the text; {@code "no borrowed connections"} if none
     */
    @Impact(Impact.Kind.INFO)
    String listBorrowersText();
}
