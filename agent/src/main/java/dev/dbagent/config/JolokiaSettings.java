package dev.dbagent.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The Jolokia HTTP bridge the agent may start. Keys {@code dbagent.jolokia.*}. Validation
 * guarantees that in staging and production an enabled bridge requires authentication, and that
 * authentication has a user and a password.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the password.
 *
 * @param enabled start the bridge ({@code jolokia.enabled})
 * @param host the address to bind ({@code jolokia.host})
 * @param port the port, 0 = any free port ({@code jolokia.port})
 * @param auth require HTTP basic authentication ({@code jolokia.auth})
 * @param user the user ({@code jolokia.user})
 * @param password the password ({@code jolokia.password})
 * @param policyFile Jolokia access policy XML ({@code jolokia.policyFile})
 */
public record JolokiaSettings(boolean enabled, String host, int port, boolean auth, Optional<String> user,
        Optional<Secret> password, Optional<Path> policyFile) {
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @param enabled start the bridge ({@code jolokia.enabled})
     * @param host the address to bind ({@code jolokia.host})
     * @param port the port, 0 = any free port ({@code jolokia.port})
     * @param auth require HTTP basic authentication ({@code jolokia.auth})
     * @param user the user ({@code jolokia.user})
     * @param password the password ({@code jolokia.password})
     * @param policyFile Jolokia access policy XML ({@code jolokia.policyFile})
     * @throws NullPointerException if a reference component is null
     */
    public JolokiaSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(policyFile, "policyFile");
    }
}
