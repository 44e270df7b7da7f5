package dev.dbagent.internal.jmx;

import dev.dbagent.internal.jmx.remote.Callers;
import dev.dbagent.mbeans.CircuitBreakerMXBean;
import dev.dbagent.mbeans.Notifications;
import dev.dbagent.mbeans.ObjectNames;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnErrorEvent;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnFailureRateExceededEvent;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnSlowCallRateExceededEvent;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.management.ObjectName;

/**
 * {@link CircuitBreakerMXBean} over a Resilience4j {@link CircuitBreaker}, pool layer or service
 * layer, emitting a {@value Notifications#BREAKER_STATE} notification for every state transition.
 *
 * <p>It listens to the breaker's events to remember the last transition and why it happened: the
 * threshold that was exceeded together with the last recorded error (class and first line of its
 * message, credentials masked), or the JMX operation and its caller ({@code forceOpen by
 * jmx:alice}).
 *
 * <p>Thread-safe. Getters never block. Operations change the breaker's state at once; listeners
 * of the breaker (including the notification) run on the calling thread. After {@link #close()}
 * the adapter ignores further events (Resilience4j cannot unsubscribe a consumer).
 */
final class CircuitBreakerMXBeanAdapter extends InstanceBroadcaster implements CircuitBreakerMXBean {
    private static final int MAX_ERROR_LENGTH = 200;

    private final CircuitBreaker breaker;
    private final String database;
    private final String layer;
    private final String role;
    private final ObjectName name;
    private final AtomicLong sequence = new AtomicLong();
    /** Set by a JMX operation for the transition it triggers on the same thread. */
    private final ThreadLocal<String> manualCause = new ThreadLocal<>();
    private volatile Transition last;
    private volatile String lastError = "";
    private volatile String exceeded = "";
    private volatile boolean closed;

    /** The last transition, published as one immutable value. */
    private record Transition(String text, Instant at, String cause) {}

    /* set once by AgentManagement before registration; "" when the agent has no instance id */

    /**
     * @param breaker the breaker
     * @param database its database
     * @param layer {@link ObjectNames#LAYER_POOL} or {@link ObjectNames#LAYER_SERVICE}
     * @param role the pool role, {@code ""} for the service layer
     * @param name this bean's ObjectName (the notifications' source)
     */
    CircuitBreakerMXBeanAdapter(CircuitBreaker breaker, String database, String layer, String role, ObjectName name) {
        super(Notifications.breakerStateInfo());
        this.breaker = Objects.requireNonNull(breaker, "breaker");
        this.database = Objects.requireNonNull(database, "database");
        this.layer = Objects.requireNonNull(layer, "layer");
        this.role = Objects.requireNonNull(role, "role");
        this.name = Objects.requireNonNull(name, "name");
        CircuitBreaker.EventPublisher events = breaker.getEventPublisher();
        events.onError(this::onError);
        events.onFailureRateExceeded(this::onFailureRateExceeded);
        events.onSlowCallRateExceeded(this::onSlowCallRateExceeded);
        events.onStateTransition(this::onStateTransition);
    }

    /** Stops reacting to the breaker's events. Idempotent. */
    void close() {
        closed = true;
    }

    private void onError(CircuitBreakerOnErrorEvent e) {
        if (closed) {
            return;
        }
        Throwable t = e.getThrowable();
        String message = JmxErrors.clean(t.getMessage()).lines().findFirst().orElse("");
        String text = t.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
        lastError = text.length() > MAX_ERROR_LENGTH ? text.substring(0, MAX_ERROR_LENGTH) + "..." : text;
    }

    private void onFailureRateExceeded(CircuitBreakerOnFailureRateExceededEvent e) {
        exceeded = String.format(Locale.ROOT, "failure rate %.1f%% >= %.1f%%", e.getFailureRate(),
                breaker.getCircuitBreakerConfig().getFailureRateThreshold());
    }

    private void onSlowCallRateExceeded(CircuitBreakerOnSlowCallRateExceededEvent e) {
        exceeded = String.format(Locale.ROOT, "slow call rate %.1f%% >= %.1f%%", e.getSlowCallRate(),
                breaker.getCircuitBreakerConfig().getSlowCallRateThreshold());
    }

    private void onStateTransition(CircuitBreakerOnStateTransitionEvent e) {
        if (closed) {
            return;
        }
        String from = e.getStateTransition().getFromState().name();
        String to = e.getStateTransition().getToState().name();
        String cause = causeOf(e.getStateTransition().getToState());
        Instant at = e.getCreationTime().toInstant();
        last = new Transition(from + " -> " + to, at, cause);
        sendNotification(Notifications.breakerState(name, sequence.incrementAndGet(), at.toEpochMilli(), database,
                layer, role, from, to, cause));
    }

    private String causeOf(CircuitBreaker.State to) {
        String manual = manualCause.get();
        if (manual != null) {
            return manual;
        }
        CircuitBreakerConfig config = breaker.getCircuitBreakerConfig();
        switch (to) {
            case OPEN: {
                String threshold = exceeded.isEmpty()
                        ? String.format(Locale.ROOT, "failure rate %.1f%% >= %.1f%%",
                                breaker.getMetrics().getFailureRate(), config.getFailureRateThreshold())
                        : exceeded;
                exceeded = "";
                String error = lastError;
                return threshold + (error.isEmpty() ? "" : "; last error: " + error);
            }
            case HALF_OPEN:
                return "wait in open state elapsed; " + config.getPermittedNumberOfCallsInHalfOpenState()
                        + " probe call(s) permitted";
            case CLOSED:
                return "probe calls succeeded";
            default:
                return "changed in-process";
        }
    }


    @Override
    public String getDatabase() {
        return database;
    }

    @Override
    public String getLayer() {
        return layer;
    }

    @Override
    public String getRole() {
        return role;
    }

    @Override
    public String getState() {
        return breaker.getState().name();
    }

    @Override
    public float getFailureRatePercent() {
        return breaker.getMetrics().getFailureRate();
    }

    @Override
    public float getSlowCallRatePercent() {
        return breaker.getMetrics().getSlowCallRate();
    }

    @Override
    public int getBufferedCalls() {
        return breaker.getMetrics().getNumberOfBufferedCalls();
    }

    @Override
    public int getFailedCalls() {
        return breaker.getMetrics().getNumberOfFailedCalls();
    }

    @Override
    public int getSuccessfulCalls() {
        return breaker.getMetrics().getNumberOfSuccessfulCalls();
    }

    @Override
    public long getNotPermittedCalls() {
        return breaker.getMetrics().getNumberOfNotPermittedCalls();
    }

    @Override
    public String getLastTransition() {
        Transition t = last;
        return t == null ? "" : t.text();
    }

    @Override
    public String getLastTransitionAt() {
        Transition t = last;
        return t == null ? "" : Iso.of(t.at());
    }

    @Override
    public String getLastTransitionCause() {
        Transition t = last;
        return t == null ? "" : t.cause();
    }

    @Override
    public String forceOpen() {
        return manually("forceOpen", () -> {
            breaker.transitionToForcedOpenState();
            return null;
        });
    }

    @Override
    public String reset() {
        return manually("reset", () -> {
            breaker.reset();
            return null;
        });
    }

    @Override
    public String disable() {
        return manually("disable", () -> {
            breaker.transitionToDisabledState();
            return null;
        });
    }

    @Override
    public String metricsOnly() {
        return manually("metricsOnly", () -> {
            breaker.transitionToMetricsOnlyState();
            return null;
        });
    }

    /** Runs a state change with its cause attributed to the JMX caller; returns {@code FROM -> TO}. */
    private synchronized String manually(String operation, Supplier<Void> change) {
        String from = breaker.getState().name();
        manualCause.set(operation + " by " + Callers.current());
        try {
            change.get();
        } catch (RuntimeException e) {
            throw JmxErrors.translate(operation, e);
        } finally {
            manualCause.remove();
        }
        return from + " -> " + breaker.getState().name();
    }

    @Override
    public String toString() {
        return "CircuitBreakerMXBeanAdapter[" + name + "]";
    }
}
