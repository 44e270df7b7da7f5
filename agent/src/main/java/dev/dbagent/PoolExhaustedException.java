package dev.dbagent;

/**
 * No connection became free within the pool's maximum wait. The message carries what the pool
 * looked like at that moment, so an operator can tell saturation from a leak.
 */
public final class PoolExhaustedException extends DbAgentException {
    private static final long serialVersionUID = 1L;
    private final int total;
    private final int active;
    private final int idle;
    private final int waiting;

    /**
     * @param database logical database name
     * @param role pool role, {@code primary} or {@code replica-N}
     * @param maxWaitMillis how long the caller waited
     * @param total connections in the pool (active + idle)
     * @param active connections borrowed
     * @param idle connections idle
     * @param waiting threads waiting for a connection
     * @param cause the pool's own exception
     */
    public PoolExhaustedException(String database, String role, long maxWaitMillis,
                                  int total, int active, int idle, int waiting, Throwable cause) {
        super("pool of database '" + database + "' (" + role + ") exhausted: no connection within "
                + maxWaitMillis + " ms (total=" + total + ", active=" + active + ", idle=" + idle
                + ", waiting=" + waiting + ")", cause);
        this.total = total;
        this.active = active;
        this.idle = idle;
        this.waiting = waiting;
    }

    /** @return connections in the pool */
    public int total() { return total; }

    /** @return connections borrowed */
    public int active() { return active; }

    /** @return idle connections */
    public int idle() { return idle; }

    /** @return threads that were waiting */
    public int waiting() { return waiting; }
}
