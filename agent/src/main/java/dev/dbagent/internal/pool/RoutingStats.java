package dev.dbagent.internal.pool;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of where a database's connections went and why. Cheap under contention (LongAdder);
 * thread-safe; values are monotonic since start.
 */
public final class RoutingStats {

    /** Why a read went to the primary. */
    public enum Reason {
        /** the caller asked to read its own writes, or wrote within the read-your-writes window */
        OWN_WRITES,
        /** the database has no replicas */
        NO_REPLICAS,
        /** every replica's replay lag exceeds the bound */
        LAGGING,
        /**
         * every replica stopped replaying: replay paused ({@code pg_wal_replay_pause()}) or stalled
         * with WAL received that it does not apply
         */
        NOT_REPLAYING,
        /** every replica left recovery: it was promoted and is no replica of this primary any more */
        PROMOTED,
        /** every replica failed its last check */
        UNHEALTHY,
        /** every replica's breaker is open */
        BREAKER_OPEN,
        /** the chosen replica failed at acquisition; the read fell back */
        REPLICA_FAILED
    }

    private final LongAdder writes = new LongAdder();
    private final LongAdder primaryEvictions = new LongAdder();
    private final Map<Reason, LongAdder> primaryReads = new EnumMap<>(Reason.class);
    private final Map<String, LongAdder> replicaReads = new ConcurrentHashMap<>();

    RoutingStats() {
        for (Reason r : Reason.values()) {
            primaryReads.put(r, new LongAdder());
        }
    }

    void write() {
        writes.increment();
    }

    void primaryEvicted() {
        primaryEvictions.increment();
    }

    void primaryRead(Reason reason) {
        primaryReads.get(reason).increment();
    }

    void replicaRead(String role) {
        replicaReads.computeIfAbsent(role, k -> new LongAdder()).increment();
    }

    /** @return connections acquired for writes and transactions */
    public long writes() {
        return writes.sum();
    }

    /**
     * @return how often the primary pool was found on a server in recovery (a standby: its write
     *     failed with SQLSTATE 25006, or the background check saw {@code pg_is_in_recovery()}) and
     *     its connections were evicted so that new ones resolve the URL again
     */
    public long primaryEvictions() {
        return primaryEvictions.sum();
    }

    /**
     * @param reason why
     * @return reads routed to the primary for that reason
     */
    public long primaryReads(Reason reason) {
        return primaryReads.get(reason).sum();
    }

    /** @return all reads routed to the primary */
    public long primaryReads() {
        return primaryReads.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /**
     * @param role {@code replica-N}
     * @return reads served by that replica
     */
    public long replicaReads(String role) {
        LongAdder a = replicaReads.get(role);
        return a == null ? 0 : a.sum();
    }

    /** @return reads served by any replica */
    public long replicaReads() {
        return replicaReads.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("writes=").append(writes()).append(", primaryEvictions=")
                .append(primaryEvictions()).append(", primaryReads={");
        primaryReads.forEach((k, v) -> sb.append(k).append('=').append(v.sum()).append(' '));
        sb.append("}, replicaReads={");
        replicaReads.forEach((k, v) -> sb.append(k).append('=').append(v.sum()).append(' '));
        return sb.append('}').toString();
    }
}
