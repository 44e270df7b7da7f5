package dev.dbagent;

/** What a caller means to do with a connection; decides where it is routed. */
public enum Intent {
    /** Writes and transactions: always the primary. */
    WRITE,
    /** Reads that tolerate replica lag: a healthy replica within the lag bound, else the primary. */
    READ,
    /** Reads that must see the caller's own recent writes: the primary. */
    READ_OWN_WRITES
}
