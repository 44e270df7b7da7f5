package dev.dbagent.internal.jmx;

import dev.dbagent.internal.jmx.remote.Callers;
import dev.dbagent.internal.pool.ManagedPool;
import dev.dbagent.mbeans.BorrowerInfo;
import dev.dbagent.mbeans.Notifications;
import dev.dbagent.mbeans.PoolMXBean;
import dev.dbagent.ops.OperationOutcome;
import dev.dbagent.ops.Operations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.management.ObjectName;

/**
 * {@link PoolMXBean} over one {@link ManagedPool}.
 *
 * <p>Thread-safe; getters read the pool's counters without locking and never touch the database.
 * {@link #evictIdleConnections()} closes idle connections (socket closes, no round trip). The live
 * changes (resize, soft eviction, credential rotation) are audited as the JMX caller through the
 * database's {@link Operations} and announced as {@link Notifications#POOL_CHANGED}, refusals
 * included.
 */
final class PoolMXBeanAdapter extends InstanceBroadcaster implements PoolMXBean {
    private final ManagedPool pool;
    private final Clock clock;
    private final ObjectName name;
    private final Operations operations;
    private final AtomicLong sequence = new AtomicLong();

    /**
     * @param pool the pool
     * @param clock the clock the pool records borrow times with, for the borrowers' age
     * @param name this bean's name, the source of its notifications
     * @param operations the database's operations, whose audit trail records live changes; null
     *     to only log and notify
     */
    PoolMXBeanAdapter(ManagedPool pool, Clock clock, ObjectName name, Operations operations) {
        super(Notifications.poolChangedInfo());
        this.pool = Objects.requireNonNull(pool, "pool");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.name = Objects.requireNonNull(name, "name");
        this.operations = operations;
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
    public long getMaxWaitMillis() {
        return pool.maxWait().toMillis();
    }

    @Override
    public String getPasswordSource() {
        return pool.passwordSource();
    }

    @Override
    public String resize(int maxTotal, int minIdle, long maxWaitMillis) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("maxTotal", Integer.toString(maxTotal));
        args.put("minIdle", Integer.toString(minIdle));
        args.put("maxWaitMillis", Long.toString(maxWaitMillis));
        return control("resize", args, () -> pool.resize(maxTotal, minIdle, Duration.ofMillis(maxWaitMillis)));
    }

    @Override
    public String softEvictConnections() {
        return control("soft-evict", Map.of(), () -> pool.softEvict().toString());
    }

    @Override
    public String rotateCredentials() {
        return control("rotate-credentials", Map.of("source", pool.passwordSource()), pool::rotateCredentials);
    }

    /** Runs a live change, then audits and announces it whether it was done or refused. */
    private String control(String action, Map<String, String> arguments, Supplier<String> change) {
        String caller = Callers.current();
        long t0 = System.nanoTime();
        String summary;
        OperationOutcome outcome;
        RuntimeException refused = null;
        try {
            summary = change.get();
            outcome = OperationOutcome.SUCCEEDED;
        } catch (IllegalArgumentException | IllegalStateException e) {
            summary = "refused: " + e.getMessage();
            outcome = OperationOutcome.REFUSED;
            refused = e;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (operations != null) {
            operations.as(caller).recordAction("pool-" + action, withPool(arguments), outcome, summary, took);
        }
        sendNotification(Notifications.poolChanged(name, sequence.incrementAndGet(), clock.millis(), pool.database(),
                pool.role(), action, OperationsMXBeanAdapter.arguments(arguments), caller,
                OperationsMXBeanAdapter.outcome(outcome), summary));
        if (refused instanceof IllegalArgumentException) {
            throw JmxErrors.translate(action, refused);
        }
        if (refused != null) {
            throw JmxErrors.refused(action, JmxErrors.clean(refused.getMessage()));
        }
        return summary;
    }

    private Map<String, String> withPool(Map<String, String> arguments) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("role", pool.role());
        out.putAll(arguments);
        return out;
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
