package dev.dbagent.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One audited operation: who ran what with which arguments, on which agent instance, how it
 * ended and how long it took. Secret arguments (tokens, passwords) are already masked.
 *
 * @param at when the operation started
 * @param agent the agent's name
 * @param instance the agent's instance id (configured, or {@code host:pid})
 * @param host the host the agent runs on
 * @param caller the caller identity, e.g. {@code jmx:operator} or {@code local}
 * @param operation the operation's audit name, e.g. {@code migrate}
 * @param arguments the arguments, secrets masked
 * @param outcome how it ended
 * @param summary the one-line summary of the result or the refusal reason
 * @param duration how long the operation took
 */
public record AuditEvent(Instant at, String agent, String instance, String host, String caller, String operation,
                         Map<String, String> arguments, OperationOutcome outcome, String summary, Duration duration) {
    /** Copies the arguments so the event is immutable; rejects nulls. */
    public AuditEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(operation, "operation");
        arguments = Map.copyOf(arguments);
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(duration, "duration");
    }

    /** @return whether the operation succeeded (a refusal or an answer "no" is not a success) */
    public boolean success() {
        return outcome == OperationOutcome.SUCCEEDED;
    }
}
