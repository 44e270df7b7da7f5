package dev.dbagent.mbeans;

/**
 * One connection pool: a database's primary or one of its replicas. Registered as
 * {@code dev.dbagent:type=Pool,agent=<name>,database=<db>,role=<primary|replica-N>}
 * ({@link ObjectNames#pool(String, String, String)}).
 *
 * <p>Attributes are a snapshot of the pool's counters taken when read; they never block. The
 * operations are the only live changes. {@link #resize}, {@link #softEvictConnections()} and
 * {@link #rotateCredentials()} are {@link Impact.Kind#ACTION} (operator role only), are recorded in
 * the database's audit trail (and so also reported as {@link Notifications#OPS_COMPLETED} by its
 * Operations bean), and this bean emits {@link Notifications#POOL_CHANGED} for each, refusals
 * included.
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

    /** @return how long a borrower waits for a connection before the pool reports exhaustion, ms */
    long getMaxWaitMillis();

    /**
     * @return where the pool's password comes from: {@code env:NAME}, {@code file:PATH},
     *     {@code literal} or {@code none}; never the password
     */
    String getPasswordSource();

    /** @return median time a borrow waited for a connection, milliseconds, weighted to the last five minutes */
    double getBorrowWaitP50Millis();

    /** @return 95th percentile of borrow wait, milliseconds, weighted to the last five minutes */
    double getBorrowWaitP95Millis();

    /** @return 99th percentile of borrow wait, milliseconds, weighted to the last five minutes */
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
     * Changes the pool's sizes while it runs, within the bounds the configuration accepts
     * ({@code maxTotal} 1-1000, {@code minIdle} 0-maxTotal, {@code maxWaitMillis} 1-600000).
     * Growing takes effect at once; shrinking closes no connection in use (the surplus closes as
     * it is returned). The change lasts until the agent restarts; put it in the configuration to
     * keep it.
     *
     * @param maxTotal most connections the pool opens
     * @param minIdle idle connections kept open
     * @param maxWaitMillis how long a borrower waits for a connection
     * @return what changed, e.g. {@code maxTotal 5 -> 8, minIdle 0 (unchanged), maxWait 5000 ms (unchanged)}
     * @throws IllegalArgumentException naming every value out of bounds; nothing is changed
     */
    @Impact(Impact.Kind.ACTION)
    String resize(int maxTotal, int minIdle, long maxWaitMillis);

    /**
     * Replaces every connection without failing work in flight: idle connections close now,
     * borrowed ones close when returned instead of going back to the pool; new ones are opened on
     * demand. Use after a failover (a multi-host URL resolves again), a server setting change
     * that needs new sessions, or a credential change.
     *
     * @return e.g. {@code 3 idle connections closed, 2 in use close when returned}
     */
    @Impact(Impact.Kind.ACTION)
    String softEvictConnections();

    /**
     * Reads the password again from its {@code env:}/{@code file:} source (see
     * {@link #getPasswordSource()}), tries it with one login, and if the server accepts it, opens
     * every new connection with it and soft-evicts the old ones ({@link #softEvictConnections()}).
     * Work in flight is not failed. Blocks for the test login. Rotate the server's password first
     * (old sessions keep working), then the secret's source, then call this.
     *
     * @return what was done, naming the source, never the password
     * @throws IllegalStateException if the password is literal, the source cannot be read, or the
     *     server refuses it; nothing is changed then
     */
    @Impact(Impact.Kind.ACTION)
    String rotateCredentials();

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
