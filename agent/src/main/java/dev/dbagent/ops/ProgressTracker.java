package dev.dbagent.ops;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the progress of the operation running on one database and tells the listeners. Several
 * non-exclusive operations may overlap; the latest report wins. Thread-safe.
 */
final class ProgressTracker {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressTracker.class);

    private final Clock clock;
    private final List<ProgressListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Progress current;

    ProgressTracker(Clock clock) {
        this.clock = clock;
    }

    void add(ProgressListener l) {
        listeners.add(l);
    }

    void remove(ProgressListener l) {
        listeners.remove(l);
    }

    Optional<Progress> current() {
        return Optional.ofNullable(current);
    }

    /** A run of one operation: its steps are counted from 1. */
    Run start(String operation, int total) {
        return new Run(operation, total);
    }

    /** Work that reports its steps to a {@link Run}. */
    @FunctionalInterface
    interface Work<T> {
        T run(Run run) throws Exception;
    }

    /**
     * Runs {@code work} as one operation's run and clears its progress when it ends, however it ends.
     *
     * @param operation the operation's audit name
     * @param total how many steps, 0 if not known yet (the work may set it)
     */
    <T> T track(String operation, int total, Work<T> work) throws Exception {
        Run run = start(operation, total);
        try {
            return work.run(run);
        } finally {
            done(run);
        }
    }

    void done(Run run) {
        Progress p = current;
        if (p != null && p.operation().equals(run.operation)) {
            current = null;
        }
    }

    private void report(Progress p) {
        current = p;
        for (ProgressListener l : listeners) {
            try {
                l.onProgress(p);
            } catch (RuntimeException e) {
                LOG.warn("progress listener {} failed: {}", l, e.toString());
            }
        }
    }

    /** One operation's steps, reported as {@link Migrator.StepListener} callbacks. */
    final class Run implements Migrator.StepListener {
        private final String operation;
        private volatile int total;
        private int step;

        private Run(String operation, int total) {
            this.operation = operation;
            this.total = total;
        }

        void total(int total) {
            this.total = total;
        }

        @Override
        public synchronized void next(String changeSet) {
            step++;
            report(new Progress(operation, step, total == 0 ? 0 : Math.max(total, step), changeSet, clock.instant()));
        }
    }
}
