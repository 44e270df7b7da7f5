package dev.dbagent.internal.jmx.access;

import java.util.Locale;
import java.util.Optional;

/**
 * The two roles a remote caller can have, the same over RMI and Jolokia. In the JDK-format access
 * file {@code readonly} is {@link #MONITOR} and {@code readwrite} is {@link #OPERATOR}.
 */
public enum Role {
    /** Reads dbagent attributes and runs the operations that change nothing ({@code Impact INFO}). */
    MONITOR("readonly"),
    /** Also runs the operations that change the database or the agent ({@code Impact ACTION}). */
    OPERATOR("readwrite");

    private final String accessLevel;

    Role(String accessLevel) {
        this.accessLevel = accessLevel;
    }

    /** @return the word the JDK access file uses for this role */
    public String accessLevel() {
        return accessLevel;
    }

    /**
     * @param level {@code readonly} or {@code readwrite}, any case
     * @return the role, or empty for any other word
     */
    public static Optional<Role> ofAccessLevel(String level) {
        String l = level.toLowerCase(Locale.ROOT);
        for (Role r : values()) {
            if (r.accessLevel.equals(l)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** @return {@code monitor} or {@code operator} */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
