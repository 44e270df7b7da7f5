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
    /** Rejects nulls. */
    public OpsSettings {
        Objects.requireNonNull(resetTokenTtl, "resetTokenTtl");
    }
}
