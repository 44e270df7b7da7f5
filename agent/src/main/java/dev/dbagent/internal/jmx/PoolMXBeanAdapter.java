package dev.dbagent.internal.jmx;

import dev.dbagent.mbeans.BorrowerInfo;
import dev.dbagent.mbeans.PoolMXBean;
import dev.dbagent.internal.pool.ManagedPool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * {@link PoolMXBean} over one {@link ManagedPool}.
 *
 * <p>Thread-safe; getters read the pool's counters without locking and never touch the database.
 * {@link #evictIdleConnections()} closes idle connections (socket closes, no round trip).
 */
final class PoolMXBeanAdapter implements PoolMXBean {
    private final ManagedPool pool;
    private final Clock clock;

    /**
     * @param pool the pool
     * @param clock the clock the pool records borrow times with, for the borrowers' age
     */
    PoolMXBeanAdapter(ManagedPool pool, Clock clock) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String getDatabase() {
        return pool.database();
    }

    @Override
    public String getRole() {
        return pool.role();
    }

    @Override
    public String getJdbcUrl() {
        return pool.maskedUrl();
    }

    @Override
    public int getTotal() {
        return pool.total();
    }

    @Override
    public int getActive() {
        return pool.active();
    }

    @Override
    public int getIdle() {
        return pool.idle();
    }

    @Override
    public int getWaiting() {
        return pool.waiting();
    }

    @Override
    public int getMaxTotal() {
        return pool.maxTotal();
    }

    @Override
    public int getMinIdle() {
        return pool.minIdle();
    }

    @Override
    public double getBorrowWaitP50Millis() {
        return pool.borrowWaitMillis(0.5);
    }

    @Override
    public double getBorrowWaitP95Millis() {
        return pool.borrowWaitMillis(0.95);
    }

    @Override
    public double getBorrowWaitP99Millis() {
        return pool.borrowWaitMillis(0.99);
    }

    @Override
    public long getCreatedCount() {
        return pool.createdCount();
    }

    @Override
    public long getDestroyedCount() {
        return pool.destroyedCount();
    }

    @Override
    public long getBorrowedCount() {
        return pool.borrowedCount();
    }

    @Override
    public int evictIdleConnections() {
        try {
            return pool.evictIdle();
        } catch (RuntimeException e) {
            throw JmxErrors.translate("evictIdleConnections", e);
        }
    }

    @Override
    public BorrowerInfo[] listBorrowers() {
        List<ManagedPool.Borrower> borrowers = pool.borrowers();
        BorrowerInfo[] out = new BorrowerInfo[borrowers.size()];
        Instant now = clock.instant();
        for (int i = 0; i < out.length; i++) {
            ManagedPool.Borrower b = borrowers.get(i);
            long age = Math.max(0, Duration.between(b.borrowedAt(), now).toMillis());
            out[i] = new BorrowerInfo(b.thread(), Iso.of(b.borrowedAt()), age, b.stack());
        }
        return out;
    }

    @Override
    public String listBorrowersText() {
        BorrowerInfo[] borrowers = listBorrowers();
        StringBuilder sb = new StringBuilder();
        sb.append(borrowers.length).append(" connection").append(borrowers.length == 1 ? "" : "s")
                .append(" borrowed from ").append(pool.database()).append('/').append(pool.role()).append('\n');
        for (BorrowerInfo b : borrowers) {
            sb.append("- ").append(b.getThreadName()).append(" since ").append(b.getBorrowedAt())
                    .append(" (").append(b.getAgeMillis()).append(" ms)\n");
            if (!b.getStackTrace().isEmpty()) {
                b.getStackTrace().lines().forEach(l -> sb.append("    ").append(l).append('\n'));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "PoolMXBeanAdapter[" + pool.database() + "/" + pool.role() + "]";
    }
}
