package dev.dbagent.config;

import java.util.Objects;

/**
 * Migration settings. Keys {@code dbagent.migrate.*}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param onStart run pending migrations when the agent starts ({@code migrate.onStart})
 * @param changelog the Liquibase changelog, a classpath resource ({@code migrate.changelog})
 */
public record MigrateSettings(boolean onStart, String changelog) {
    /** Rejects nulls. */
    public MigrateSettings {
        Objects.requireNonNull(changelog, "changelog");
    }
}
