package dev.dbagent.health;

import java.util.Objects;

/**
 * One finding of a health check, for an operator to act on. Immutable.
 *
 * @param severity how urgent it is
 * @param check the name of the check that found it
 * @param message what was found, with the numbers; never a secret or a bound value
 */
public record Issue(Severity severity, String check, String message) {

    /** How urgent an issue is. */
    public enum Severity {
        /** Something is broken now. */
        CRITICAL,
        /** Something will break or is slowing things down. */
        WARNING,
        /** Worth knowing, nothing to do yet. */
        INFO
    }

    /**
     * Validates that no field is null.
     *
     * @param severity how urgent it is
     * @param check the name of the check that found it
     * @param message what was found, with the numbers; never a secret or a bound value
     */
    public Issue {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(message, "message");
    }

    /** @return {@code SEVERITY [check] message} */
    public String toText() {
        return severity + " [" + check + "] " + message;
    }
}
