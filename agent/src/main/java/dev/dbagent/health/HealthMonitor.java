package dev.dbagent.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link HealthCheck}s on a schedule and on demand, keeps the last {@link HealthReport} and
 * tells listeners when the overall status changes.
 *
 * <p>Checks never make a run fail: an exception becomes a DOWN result naming it, and every
 * result carries the latency the monitor measured. A non-UP result without issues gets one
 * (CRITICAL for DOWN, WARNING for DEGRADED), so the issue list always explains the status.
 *
 * <p>Every check runs under its own deadline, on the monitor's check threads, all checks of a
 * run at once: a check that has not answered by its deadline is reported DOWN as hung (a CRITICAL
 * issue naming it) while the others complete, and as long as it stays hung later runs report it
 * so again without starting it a second time. A run therefore takes at most the deadline.
 *
 * <p>Thread-safe. Runs are serialized: {@link #runNow()} blocks while a scheduled run is in
 * progress (at most the check deadline) and then runs. Listeners are called on the thread that made the
 * run, after the report is visible through {@link #lastReport()}; a listener that throws is
 * logged and skipped.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    /** Deadline of each check unless the constructor says otherwise. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);
    /** Checks run on threads named with this prefix and the agent's name. */
    public static final String CHECK_THREAD_PREFIX = "dbagent-health-check-";

    private final String name;
    private final Clock clock;
    private final ScheduledExecutorService injectedExecutor;
    private final List<HealthCheck> checks = new CopyOnWriteArrayList<>();
    private final List<Consumer<HealthStatusChange>> listeners = new CopyOnWriteArrayList<>();
    private final Object runLock = new Object();
    private final Duration deadline;
    private final ExecutorService checkThreads;
    /** Checks that passed their deadline and have not returned yet, by name. */
    private final Map<String, Hung> hung = new ConcurrentHashMap<>();
    private volatile HealthReport last;
    private ScheduledExecutorService ownExecutor;
    private ScheduledFuture<?> scheduled;

    /**
     * @param name the monitor's name, used for its thread and logs (e.g. the agent name)
     * @param checks the initial checks; more can be added with {@link #addCheck}
     * @param clock gives {@link HealthReport#ranAt()}
     * @param executor runs the schedule; null to let the monitor start its own single daemon
     *     thread on {@link #start}, stopped by {@link #stop}. An injected executor is not shut down.
     */
    public HealthMonitor(String name, List<? extends HealthCheck> checks, Clock clock,
                         ScheduledExecutorService executor) {
        this(name, checks, clock, executor, DEFAULT_DEADLINE);
    }

    /**
     * @param name the monitor's name, used for its threads and logs (e.g. the agent name)
     * @param checks the initial checks; more can be added with {@link #addCheck}
     * @param clock gives {@link HealthReport#ranAt()}
     * @param executor runs the schedule; null for the monitor's own daemon thread
     * @param checkDeadline how long each check may take before it is reported hung, positive
     */
    public HealthMonitor(String name, List<? extends HealthCheck> checks, Clock clock,
                         ScheduledExecutorService executor, Duration checkDeadline) {
        if (checkDeadline.isNegative() || checkDeadline.isZero()) {
            throw new IllegalArgumentException("checkDeadline must be positive, but was " + checkDeadline);
        }
        this.deadline = checkDeadline;
        this.checkThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, CHECK_THREAD_PREFIX + name);
            t.setDaemon(true);
            return t;
        });
        this.name = Objects.requireNonNull(name, "name");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.injectedExecutor = executor;
        for (HealthCheck c : checks) {
            addCheck(c);
        }
    }

    /**
     * Adds a check to every following run.
     *
     * @param check the check
     * @throws IllegalArgumentException if a check of the same name is already present
     */
    public void addCheck(HealthCheck check) {
        Objects.requireNonNull(check, "check");
        synchronized (checks) {
            for (HealthCheck c : checks) {
                if (c.name().equals(check.name())) {
                    throw new IllegalArgumentException("a health check named '" + check.name() + "' already exists");
                }
            }
            checks.add(check);
        }
    }

    /**
     * @param checkName the name of the check to remove
     * @return true if a check was removed
     */
    public boolean removeCheck(String checkName) {
        return checks.removeIf(c -> c.name().equals(checkName));
    }

    /** @return the names of the current checks, in run order */
    public List<String> checkNames() {
        List<String> names = new ArrayList<>();
        for (HealthCheck c : checks) {
            names.add(c.name());
        }
        return names;
    }

    /**
     * @param listener called with every change of the overall status, including the first report
     *     (previous status null), on the thread that made the run while further runs wait: it
     *     should hand the change off (emit a notification, log) rather than block
     */
    public void addListener(Consumer<HealthStatusChange> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * @param listener a listener added before
     * @return true if it was removed
     */
    public boolean removeListener(Consumer<HealthStatusChange> listener) {
        return listeners.remove(listener);
    }

    /**
     * Runs every check now, on the calling thread. Blocks while another run is in progress, then
     * for as long as the checks take.
     *
     * @return the new report, also kept as {@link #lastReport()}
     */
    public HealthReport runNow() {
        synchronized (runLock) {
            Instant ranAt = clock.instant();
            long start = System.nanoTime();
            long until = start + deadline.toNanos();
            Map<HealthCheck, Future<CheckResult>> running = new LinkedHashMap<>();
            for (HealthCheck check : checks) {
                Hung h = hung.get(check.name());
                if (h != null && h.future().isDone()) {
                    hung.remove(check.name()); // it came back since: run it again
                    h = null;
                }
                running.put(check, h == null ? submit(check) : null);
            }
            Map<String, CheckResult> results = new LinkedHashMap<>();
            List<Issue> issues = new ArrayList<>();
            HealthStatus overall = HealthStatus.UP;
            for (Map.Entry<HealthCheck, Future<CheckResult>> e : running.entrySet()) {
                CheckResult r = await(e.getKey(), e.getValue(), until);
                results.put(e.getKey().name(), r);
                issues.addAll(r.issues());
                overall = overall.worst(r.status());
            }
            issues.sort(Comparator.comparing(Issue::severity));
            HealthReport report = new HealthReport(overall, results, issues, ranAt,
                    Duration.ofNanos(System.nanoTime() - start));
            HealthReport previous = last;
            last = report;
            if (previous == null || previous.status() != report.status()) {
                publish(new HealthStatusChange(previous == null ? null : previous.status(), report.status(), report));
            }
            return report;
        }
    }

    /** A check that passed its deadline: its future, and since when it runs. */
    private record Hung(Future<CheckResult> future, long sinceNanos) {}

    private Future<CheckResult> submit(HealthCheck check) {
        try {
            return checkThreads.submit(() -> runOne(check));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return java.util.concurrent.CompletableFuture.completedFuture(runOne(check));
        }
    }

    private CheckResult await(HealthCheck check, Future<CheckResult> future, long untilNanos) {
        if (future == null) {
            Hung h = hung.get(check.name());
            long ms = h == null ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - h.sinceNanos());
            return hungResult(check, "still has not returned, " + ms + " ms after it started; not started again");
        }
        long start = System.nanoTime();
        try {
            return future.get(Math.max(0, untilNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            hung.put(check.name(), new Hung(future, start));
            LOG.warn("health check {} of {} did not finish within {} ms", check.name(), name, deadline.toMillis());
            return hungResult(check, "did not finish within its deadline of " + deadline.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof VirtualMachineError vme) {
                throw vme;
            }
            return runFailed(check, cause, Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return hungResult(check, "not awaited: the health run was interrupted");
        }
    }

    private CheckResult hungResult(HealthCheck check, String what) {
        String message = "check " + check.name() + " " + what;
        return new CheckResult(HealthStatus.DOWN, deadline, message,
                List.of(new Issue(Issue.Severity.CRITICAL, check.name(), message + " (hung)")));
    }

    private CheckResult runFailed(HealthCheck check, Throwable e, Duration latency) {
        String what = "check failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return new CheckResult(HealthStatus.DOWN, latency, what, List.of(new Issue(Issue.Severity.CRITICAL,
                check.name(), what)));
    }

    private CheckResult runOne(HealthCheck check) {
        long start = System.nanoTime();
        CheckResult r;
        try {
            r = Objects.requireNonNull(check.check(), "check returned null");
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
            String what = "check failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            r = CheckResult.down(what, List.of());
        }
        Duration latency = Duration.ofNanos(System.nanoTime() - start);
        if (r.status() != HealthStatus.UP && r.issues().isEmpty()) {
            Issue.Severity severity = r.status() == HealthStatus.DOWN ? Issue.Severity.CRITICAL : Issue.Severity.WARNING;
            return new CheckResult(r.status(), latency, r.message(), List.of(new Issue(severity, check.name(), r.message())));
        }
        return r.withLatency(latency);
    }

    private void publish(HealthStatusChange change) {
        if (change.previous() != null) {
            LOG.info("health of {} changed {}", name, change.toText());
        }
        for (Consumer<HealthStatusChange> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("health listener of {} failed on {}", name, change.toText(), e);
            }
        }
    }

    /** @return the most recent report, empty before the first run */
    public Optional<HealthReport> lastReport() {
        return Optional.ofNullable(last);
    }

    /**
     * Runs the checks every {@code interval}, the first run immediately. Idempotent while running.
     *
     * @param interval time between the end of one run and the start of the next, positive
     */
    public synchronized void start(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, but was " + interval);
        }
        if (scheduled != null) {
            return;
        }
        ScheduledExecutorService executor = injectedExecutor;
        if (executor == null) {
            ownExecutor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dbagent-health-" + name);
                t.setDaemon(true);
                return t;
            });
            executor = ownExecutor;
        }
        scheduled = executor.scheduleWithFixedDelay(this::scheduledRun, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void scheduledRun() {
        try {
            runNow();
        } catch (RuntimeException e) {
            // Never let an exception cancel the schedule.
            LOG.warn("scheduled health run of {} failed", name, e);
        }
    }

    /** @return true between {@link #start} and {@link #stop} */
    public synchronized boolean isRunning() {
        return scheduled != null;
    }

    /**
     * Stops the schedule (a run in progress finishes) and the monitor's own thread. Idempotent;
     * {@link #runNow()} still works afterwards.
     */
    public synchronized void stop() {
        if (scheduled != null) {
            scheduled.cancel(false);
            scheduled = null;
        }
        if (ownExecutor != null) {
            ownExecutor.shutdown();
            ownExecutor = null;
        }
    }

    /** @return how long each check may take before it is reported hung */
    public Duration checkDeadline() {
        return deadline;
    }

    /** Stops the schedule and the check threads (a hung check's thread is abandoned). Idempotent. */
    @Override
    public void close() {
        stop();
        checkThreads.shutdownNow();
    }
}
