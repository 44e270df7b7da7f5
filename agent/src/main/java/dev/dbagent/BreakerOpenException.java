package dev.dbagent;

/**
 * A call was rejected by an open (or forced-open) circuit breaker without touching the network.
 * Retrying immediately is pointless; wait for the breaker's half-open probe or fail over.
 */
public final class BreakerOpenException extends DbAgentException {
    private static final long serialVersionUID = 1L;
    private final String database;
    private final String layer;
    private final String role;
    private final String state;

    /**
     * @param database the logical database name
     * @param layer {@code pool} or {@code service}
     * @param role {@code primary} or {@code replica-N} (for the service layer: {@code *})
     * @param state the breaker state that rejected the call, e.g. {@code OPEN}
     */
    public BreakerOpenException(String database, String layer, String role, String state) {
        super("circuit breaker " + layer + " of database '" + database + "' (" + role + ") is " + state
                + ": call rejected without contacting the server; retry after the breaker's open wait");
        this.database = database;
        this.layer = layer;
        this.role = role;
        this.state = state;
    }

    /** @return the logical database name */
    public String database() { return database; }

    /** @return {@code pool} or {@code service} */
    public String layer() { return layer; }

    /** @return the pool role, {@code primary} or {@code replica-N} */
    public String role() { return role; }

    /** @return the breaker state at rejection time */
    public String state() { return state; }
}
