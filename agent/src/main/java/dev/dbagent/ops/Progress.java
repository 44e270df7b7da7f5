package dev.dbagent.ops;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a long operation is: step {@code step} of {@code total} (0 when the total is not known in
 * advance), working on {@code current}.
 *
 * @param operation the operation's audit name, e.g. {@code migrate}
 * @param step the 1-based step now running; 0 before the first
 * @param total how many steps there will be, 0 if not known
 * @param current the changeset now running ({@code id (author)}), or what the operation is doing
 * @param at when this step started
 */
public record Progress(String operation, int step, int total, String current, Instant at) {
    /** Rejects nulls. */
    public Progress {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(at, "at");
    }

    /** @return e.g. {@code migrate: 3 of 23: foundation-3-bills (dbagent)} */
    public String describe() {
        return operation + ": " + step + " of " + (total > 0 ? Integer.toString(total) : "?") + ": " + current;
    }
}
