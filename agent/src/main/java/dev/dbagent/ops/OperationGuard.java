package dev.dbagent.ops;

import dev.dbagent.OperationBusyException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Lets one exclusive operation run at a time on one database, for every caller alike (Java, JMX,
 * Jolokia, the local command): a second one is refused with {@link OperationBusyException}
 * rather than queued. Across processes and hosts, migrations are serialised by the advisory
 * migration lock instead. Thread-safe.
 */
final class OperationGuard {
    private final AtomicReference<String> running = new AtomicReference<>();
    private final Clock clock;

    OperationGuard(Clock clock) {
        this.clock = clock;
    }

    /** A held guard; closing it lets the next exclusive operation in. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * @param operation the operation about to run
     * @param caller who runs it
     * @return a handle to close when it ends (a no-op for non-exclusive operations)
     * @throws OperationBusyException if another exclusive operation runs on this database
     */
    Held enter(Operation operation, String caller) {
        if (!operation.exclusive()) {
            return () -> { };
        }
        String mine = operation.auditName() + " by " + caller + " since " + clock.instant();
        String other = running.compareAndExchange(null, mine);
        if (other != null) {
            throw new OperationBusyException("another operation is running ("
                    + other + "); operations that change the database run one at a time, try again when it has"
                    + " finished");
        }
        return () -> running.compareAndSet(mine, null);
    }
}
