package dev.dbagent.mbeans;

import java.util.Objects;
import javax.management.ConstructorParameters;

/**
 * One connection currently borrowed from a pool, as returned by
 * {@link PoolMXBean#listBorrowers()}: who holds it, since when, and where it was borrowed.
 *
 * <p>Immutable and thread-safe. Maps to a {@code CompositeData} with items {@code threadName},
 * {@code borrowedAt}, {@code ageMillis}, {@code stackTrace}; a proxy reconstructs it through the
 * annotated constructor.
 */
public final class BorrowerInfo {
    private final String threadName;
    private final String borrowedAt;
    private final long ageMillis;
    private final String stackTrace;

    /**
     * @param threadName name of the thread that borrowed the connection
     * @param borrowedAt when it was borrowed, ISO-8601 UTC
     * @param ageMillis how long it has been out, in milliseconds
     * @param stackTrace the borrowing thread's stack at borrow time, one frame per line, or
     *     {@code ""} when the pool does not record borrow stacks
     * @throws NullPointerException if a String argument is null
     */
    @ConstructorParameters({"threadName", "borrowedAt", "ageMillis", "stackTrace"})
    public BorrowerInfo(String threadName, String borrowedAt, long ageMillis, String stackTrace) {
        this.threadName = Objects.requireNonNull(threadName, "threadName");
        this.borrowedAt = Objects.requireNonNull(borrowedAt, "borrowedAt");
        this.ageMillis = ageMillis;
        this.stackTrace = Objects.requireNonNull(stackTrace, "stackTrace");
    }

    /** @return name of the thread that borrowed the connection */
    public String getThreadName() {
        return threadName;
    }

    /** @return when the connection was borrowed, ISO-8601 UTC */
    public String getBorrowedAt() {
        return borrowedAt;
    }

    /** @return how long the connection has been out, in milliseconds */
    public long getAgeMillis() {
        return ageMillis;
    }

    /** @return the stack at borrow time, one frame per line, or {@code ""} if not recorded */
    public String getStackTrace() {
        return stackTrace;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BorrowerInfo other
                && threadName.equals(other.threadName)
                && borrowedAt.equals(other.borrowedAt)
                && ageMillis == other.ageMillis
                && stackTrace.equals(other.stackTrace);
    }

    @Override
    public int hashCode() {
        return Objects.hash(threadName, borrowedAt, ageMillis, stackTrace);
    }

    @Override
    public String toString() {
        return "BorrowerInfo[thread=" + threadName + ", borrowedAt=" + borrowedAt + ", ageMillis=" + ageMillis + "]";
    }
}
