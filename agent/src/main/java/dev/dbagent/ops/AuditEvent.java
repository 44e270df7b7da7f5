package dev.dbagent.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One audited operation: who ran what with which arguments, the result and how long it took.
 * Secret arguments (tokens, passwords) are already masked.
 *
 * @param at when the operation started
 * @param caller the caller identity, e.g. {@code jmx:operator} or {@code local}
 * @param operation the operation name, e.g. {@code migrate}
 * @param arguments the arguments, secrets masked
 * @param success whether the operation succeeded (a refusal is not a success)
 * @param outcome the one-line summary of the result or the refusal reason
 * @param duration how long the operation took
 */
public record AuditEvent(Instant at, String caller, String operation, Map<String, String> arguments,
                         boolean success, String outcome, Duration duration) {
    /** Copies the arguments so the event is immutable. */
    public AuditEvent {
        arguments = Map.copyOf(arguments);
    }
}
