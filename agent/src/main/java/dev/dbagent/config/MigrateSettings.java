package dev.dbagent.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One database's migration and catalogue settings. Keys {@code dbagent.db.<name>.migrate.*} and
 * {@code verify.daos}. The loader checks that the changelog resource exists and that every DAO
 * class loads and is an interface.
 *
 * <p>Immutable and thread-safe.
 *
 * @param changelog the Liquibase changelog, a classpath resource ({@code migrate.changelog}), if configured
 * @param referenceContexts contexts of reference-data changesets ({@code migrate.referenceContexts})
 * @param onStart apply pending changesets when the agent starts ({@code migrate.onStart})
 * @param lockWait how long a migration waits for another one ({@code migrate.lockWaitSeconds})
 * @param verifyDaos fully qualified names of the DAO interfaces verify prepares ({@code verify.daos})
 */
public record MigrateSettings(Optional<String> changelog, List<String> referenceContexts, boolean onStart,
        Duration lockWait, List<String> verifyDaos) {
    /**
     * Creates the value; validation is done by the config loader, not here.
     *
     * @throws NullPointerException if a component is null
     */
    public MigrateSettings {
        Objects.requireNonNull(changelog, "changelog");
        referenceContexts = List.copyOf(referenceContexts);
        Objects.requireNonNull(lockWait, "lockWait");
        verifyDaos = List.copyOf(verifyDaos);
    }
}
