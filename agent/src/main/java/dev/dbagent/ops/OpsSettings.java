package dev.dbagent.ops;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The few settings {@link Operations} needs besides its database coordinates.
 *
 * @param environment one of {@code development}, {@code test}, {@code staging}, {@code production}
 *     (case-insensitive); reset is refused in staging and production whatever the caller says
 * @param resetTokenTtl how long a token from {@link Operations#prepareReset()} stays valid
 * @param clock the time source for token expiry and audit timestamps (inject a fixed or manual
 *     clock in tests)
 */
public record OpsSettings(String environment, Duration resetTokenTtl, Clock clock) {
    private static final Set<String> ENVIRONMENTS = Set.of("development", "test", "staging", "production");

    /**
     * Validates and normalises the environment name to lower case.
     *
     * @throws IllegalArgumentException if the environment is unknown or the TTL is not positive
     */
    public OpsSettings {
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
     * @param environment the environment name
     * @return settings with a 60 s reset-token TTL and the system UTC clock
     */
    public static OpsSettings of(String environment) {
        return new OpsSettings(environment, Duration.ofSeconds(60), Clock.systemUTC());
    }

    /** @return whether this environment allows reset at all (development and test only) */
    public boolean allowsReset() {
        return environment.equals("development") || environment.equals("test");
    }
}
