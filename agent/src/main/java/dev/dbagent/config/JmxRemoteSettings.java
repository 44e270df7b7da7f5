package dev.dbagent.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The remote JMX (RMI) connector the agent may start. Keys {@code dbagent.jmx.remote.*}.
 * Validation guarantees that in staging and production an enabled connector requires
 * authentication, and that authentication has a password file.
 *
 * <p>Immutable and thread-safe.
 *
 * @param enabled start the connector ({@code jmx.remote.enabled})
 * @param host the address to bind ({@code jmx.remote.host})
 * @param port the port, 0 = any free port ({@code jmx.remote.port})
 * @param auth require authentication ({@code jmx.remote.auth})
 * @param passwordFile JMX password file ({@code jmx.remote.passwordFile})
 * @param accessFile JMX access file ({@code jmx.remote.accessFile})
 * @param ssl use TLS; keystores come from the standard {@code javax.net.ssl.*} properties ({@code jmx.remote.ssl})
 */
public record JmxRemoteSettings(boolean enabled, String host, int port, boolean auth, Optional<Path> passwordFile,
        Optional<Path> accessFile, boolean ssl) {
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @param enabled start the connector ({@code jmx.remote.enabled})
     * @param host the address to bind ({@code jmx.remote.host})
     * @param port the port, 0 = any free port ({@code jmx.remote.port})
     * @param auth require authentication ({@code jmx.remote.auth})
     * @param passwordFile JMX password file ({@code jmx.remote.passwordFile})
     * @param accessFile JMX access file ({@code jmx.remote.accessFile})
     * @param ssl use TLS; keystores come from the standard {@code javax.net.ssl.*} properties ({@code jmx.remote.ssl})
     * @throws NullPointerException if a reference component is null
     */
    public JmxRemoteSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(passwordFile, "passwordFile");
        Objects.requireNonNull(accessFile, "accessFile");
    }
}
