package dev.dbagent.ops;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The few settings {@link Operations} needs besides its database coordinates. Immutable.
 *
 * @param environment one of {@code development}, {@code test}, {@code staging}, {@code production}
 *     (case-insensitive); reset is refused in staging and production whatever else is configured
 * @param resetEnabled whether reset may run at all (in development and test); false refuses it
 *     everywhere
 * @param resetTokenTtl how long a token from {@link Operations#prepareReset()} stays valid
 * @param clock the time source for token expiry and audit timestamps (inject a fixed or manual
 *     clock in tests)
 */
public record OperationsSettings(String environment, boolean resetEnabled, Duration resetTokenTtl, Clock clock) {
    private static final Set<String> ENVIRONMENTS = Set.of("development", "test", "staging", "production");

    /**
     * Validates and normalises the environment name to lower case.
     *
     * @throws IllegalArgumentException if the environment is unknown or the TTL is not positive
     * @throws NullPointerException if a component is null
     */
    public OperationsSettings {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(resetTokenTtl, "resetTokenTtl");
        Objects.requireNonNull(clock, "clock");
        environment = environment.trim().toLowerCase(Locale.ROOT);
        if (!ENVIRONMENTS.contains(environment)) {
            throw new IllegalArgumentException("environment must be one of development, test, staging, production,"
                    + " but was '" + environment + "'");
        }
        if (resetTokenTtl.isNegative() || resetTokenTtl.isZero()) {
            throw new IllegalArgumentException("resetTokenTtl must be positive, but was " + resetTokenTtl);
        }
    }

    /**
     * Reset enabled (where the environment allows it), a 60 s reset-token TTL and the system UTC clock.
     *
     * @param environment the environment name
     * @return the settings
     * @throws IllegalArgumentException if the environment is unknown
     */
    public static OperationsSettings of(String environment) {
        return new OperationsSettings(environment, true, Duration.ofSeconds(60), Clock.systemUTC());
    }

    /** @return whether this environment is one where reset can exist at all (development and test) */
    public boolean environmentAllowsReset() {
        return environment.equals("development") || environment.equals("test");
    }
}
