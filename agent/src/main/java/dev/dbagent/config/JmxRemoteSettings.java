package dev.dbagent.config;

import dev.dbagent.internal.jmx.access.StartChecks;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The remote JMX (RMI) connector the agent may start. Keys {@code dbagent.jmx.remote.*}. This is
 * the one settings type of the connector: the config loader builds it and the connector starts
 * from it.
 *
 * <p>Loading refuses what the connector would refuse at start-up ({@link #problems(Environment)}):
 * in staging and production no authentication, or a non-loopback address without TLS; with
 * authentication a missing, unreadable or group/world-readable password file, a missing access
 * file, or malformed lines in either.
 *
 * <p>Immutable and thread-safe.
 *
 * @param enabled start the connector ({@code jmx.remote.enabled})
 * @param host the address to bind ({@code jmx.remote.host}); {@code 127.0.0.1} keeps it on loopback
 * @param port the port of registry and connector, 0 = any free port ({@code jmx.remote.port})
 * @param auth require authentication ({@code jmx.remote.auth})
 * @param passwordFile {@code <user> <password>} lines, owner-only ({@code jmx.remote.passwordFile})
 * @param accessFile {@code <user> readonly|readwrite} lines: {@code readonly} is the monitor role,
 *     {@code readwrite} the operator role ({@code jmx.remote.accessFile})
 * @param ssl use TLS; keystores come from the standard {@code javax.net.ssl.*} properties ({@code jmx.remote.ssl})
 */
public record JmxRemoteSettings(boolean enabled, String host, int port, boolean auth, Optional<Path> passwordFile,
        Optional<Path> accessFile, boolean ssl) {

    /** The default bind address: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /**
     * Creates the value; a blank host means {@link #DEFAULT_HOST}.
     *
     * @throws NullPointerException if a reference component is null
     * @throws IllegalArgumentException naming the key if the port is out of range
     */
    public JmxRemoteSettings {
        host = host == null || host.isBlank() ? DEFAULT_HOST : host.trim();
        Objects.requireNonNull(passwordFile, "passwordFile");
        Objects.requireNonNull(accessFile, "accessFile");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("dbagent.jmx.remote.port must be between 0 and 65535, but was " + port);
        }
    }

    /** @return a disabled connector (loopback, no authentication) */
    public static JmxRemoteSettings disabled() {
        return new JmxRemoteSettings(false, DEFAULT_HOST, 0, false, Optional.empty(), Optional.empty(), false);
    }

    /**
     * An enabled, unauthenticated loopback connector: for development and tests only (refused
     * in staging and production).
     *
     * @param port the port, {@code 0} for any free one
     * @return the settings
     */
    public static JmxRemoteSettings unauthenticated(int port) {
        return new JmxRemoteSettings(true, DEFAULT_HOST, port, false, Optional.empty(), Optional.empty(), false);
    }

    /**
     * An enabled, authenticated loopback connector.
     *
     * @param port the port, {@code 0} for any free one
     * @param passwordFile the password file (mode 600)
     * @param accessFile the access file
     * @return the settings
     */
    public static JmxRemoteSettings authenticated(int port, Path passwordFile, Path accessFile) {
        return new JmxRemoteSettings(true, DEFAULT_HOST, port, true, Optional.of(passwordFile),
                Optional.of(accessFile), false);
    }

    /**
     * @param newHost the bind address
     * @return a copy bound to {@code newHost}
     */
    public JmxRemoteSettings withHost(String newHost) {
        return new JmxRemoteSettings(enabled, newHost, port, auth, passwordFile, accessFile, ssl);
    }

    /**
     * @param enabledTls whether to use TLS
     * @return a copy with TLS switched on or off
     */
    public JmxRemoteSettings withSsl(boolean enabledTls) {
        return new JmxRemoteSettings(enabled, host, port, auth, passwordFile, accessFile, enabledTls);
    }

    /**
     * What the connector would refuse at start-up in this environment; reads the password and
     * access files. Nothing for a disabled connector.
     *
     * @param environment the agent's environment
     * @return one problem per broken rule, each naming its key
     */
    public List<String> problems(Environment environment) {
        return StartChecks.jmxRemote(this, Objects.requireNonNull(environment, "environment"));
    }
}
