package dev.dbagent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Operations settings. Keys {@code dbagent.ops.*}. Validation guarantees {@code resetEnabled} is
 * false in staging and production.
 *
 * <p>Immutable and thread-safe.
 *
 * @param resetEnabled whether reset may run at all ({@code ops.resetEnabled})
 * @param resetTokenTtl how long a {@code prepareReset} confirmation token stays valid
 *     ({@code ops.resetTokenTtlSeconds})
 */
public record OpsSettings(boolean resetEnabled, Duration resetTokenTtl) {
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @param resetEnabled whether reset may run at all ({@code ops.resetEnabled})
     * @param resetTokenTtl how long a {@code prepareReset} confirmation token stays valid ({@code ops.resetTokenTtlSeconds})
     * @throws NullPointerException if a reference component is null
     */
    public OpsSettings {
        Objects.requireNonNull(resetTokenTtl, "resetTokenTtl");
    }
}
