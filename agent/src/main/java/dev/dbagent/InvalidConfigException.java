package dev.dbagent;

import java.util.List;

/**
 * A configuration was rejected. {@link #problems()} lists every problem found, each naming the
 * key, the offending value (masked if secret) and the rule it broke.
 */
public final class InvalidConfigException extends DbAgentException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    /** @param problems every problem found, one line each */
    public InvalidConfigException(List<String> problems) {
        super("invalid dbagent configuration (" + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + "):\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** @return every problem found, one line each */
    public List<String> problems() { return problems; }
}
