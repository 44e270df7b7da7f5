package dev.dbagent.config;

import java.util.Locale;
import java.util.Optional;

/**
 * The deployment environment an agent runs in. Each environment has its own built-in defaults
 * (pool sizes, timeouts, slow-query threshold) and its own safety rules: in {@link #STAGING} and
 * {@link #PRODUCTION} reset can never be enabled and remote JMX and Jolokia must require
 * authentication.
 *
 * <p>Immutable and thread-safe.
 */
public enum Environment {
    /** A developer's machine: small pools, reset enabled, authentication optional. */
    DEVELOPMENT("development"),
    /** Automated tests: like development, with shorter waits. */
    TEST("test"),
    /** A production-like environment: larger pools, reset impossible, authentication required. */
    STAGING("staging"),
    /** Production: larger pools, reset impossible, authentication required. */
    PRODUCTION("production");

    private final String key;

    Environment(String key) {
        this.key = key;
    }

    /** @return the lower-case name used in configuration ({@code production}) */
    public String key() {
        return key;
    }

    /**
     * @return true for {@link #STAGING} and {@link #PRODUCTION}, where destructive operations are
     *     refused and remote management must be authenticated
     */
    public boolean isProtected() {
        return this == STAGING || this == PRODUCTION;
    }

    /**
     * Parses an environment name case-insensitively ({@code "Production"} is {@link #PRODUCTION}).
     * Surrounding whitespace is ignored.
     *
     * @param value the name, may be null
     * @return the environment, or empty if {@code value} is null or names no environment
     */
    public static Optional<Environment> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        for (Environment e : values()) {
            if (e.key.equals(wanted)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return key;
    }
}
