package dev.dbagent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Operations settings. Keys {@code dbagent.ops.*}. Validation guarantees {@code resetEnabled} is
 * false in staging and production.
 *
 * <p>Immutable and thread-safe.
 *
 * @param resetEnabled whether reset and rollback may run at all ({@code ops.resetEnabled}); they
 *     never run in staging or production
 * @param resetTokenTtl how long a confirmation token of {@code prepareReset}/{@code prepareRollback}
 *     stays valid ({@code ops.resetTokenTtlSeconds})
 * @param repairChecksumsInProduction whether {@code repairChecksums} may run in production
 *     ({@code ops.repairChecksumsInProduction}); elsewhere it always may
 */
public record OpsSettings(boolean resetEnabled, Duration resetTokenTtl, boolean repairChecksumsInProduction) {
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @throws NullPointerException if a reference component is null
     */
    public OpsSettings {
        Objects.requireNonNull(resetTokenTtl, "resetTokenTtl");
    }

    /**
     * @param resetEnabled {@code ops.resetEnabled}
     * @param resetTokenTtl {@code ops.resetTokenTtlSeconds}
     */
    public OpsSettings(boolean resetEnabled, Duration resetTokenTtl) {
        this(resetEnabled, resetTokenTtl, false);
    }
}
