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
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @param onStart run pending migrations when the agent starts ({@code migrate.onStart})
     * @param changelog the Liquibase changelog, a classpath resource ({@code migrate.changelog})
     * @throws NullPointerException if a reference component is null
     */
    public MigrateSettings {
        Objects.requireNonNull(changelog, "changelog");
    }
}
