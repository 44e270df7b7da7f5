package dev.dbagent.internal.jmx.remote;

import dev.dbagent.config.Environment;
import dev.dbagent.config.JmxRemoteSettings;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * How {@link RemoteJmxServer} exposes an MBeanServer over RMI.
 *
 * <p>Immutable and thread-safe. The same port serves the RMI registry and the exported connector
 * object, so a firewall or SSH tunnel needs to forward one port only.
 *
 * @param host address to bind to; {@code 127.0.0.1} keeps the connector on loopback
 * @param port TCP port for registry and connector, {@code 0} picks a free one
 * @param auth whether clients must authenticate against {@code passwordFile}
 * @param passwordFile {@code user password} lines (JDK {@code jmxremote.password} format); required
 *     when {@code auth} is true, must be readable by its owner only
 * @param accessFile {@code user readonly|readwrite} lines (JDK {@code jmxremote.access} format);
 *     required when {@code auth} is true
 * @param ssl whether registry and connector speak TLS (default JSSE key and trust stores, set with
 *     {@code javax.net.ssl.*} system properties)
 * @param environment {@code development}, {@code test}, {@code staging} or {@code production};
 *     staging and production refuse to start without authentication
 */
public record RemoteJmxSettings(
        String host, int port, boolean auth, Path passwordFile, Path accessFile, boolean ssl, String environment) {

    /** The default bind address: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /**
     * Checks the values that can be checked without touching the file system.
     *
     * @throws IllegalArgumentException naming the field and the value when one is out of range
     */
    public RemoteJmxSettings {
        host = host == null || host.isBlank() ? DEFAULT_HOST : host.trim();
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("remote JMX port must be between 0 and 65535, but was " + port);
        }
        environment = Objects.requireNonNullElse(environment, "development").trim().toLowerCase(Locale.ROOT);
    }

    /**
     * The settings the agent's configuration ({@code dbagent.jmx.remote.*}) describes.
     *
     * @param config the validated remote-JMX section of the agent configuration
     * @param environment the agent's environment
     * @return the equivalent settings
     */
    public static RemoteJmxSettings from(JmxRemoteSettings config, Environment environment) {
        return new RemoteJmxSettings(config.host(), config.port(), config.auth(), config.passwordFile().orElse(null),
                config.accessFile().orElse(null), config.ssl(), environment.key());
    }

    /**
     * Settings for an unauthenticated loopback connector, for development and tests.
     *
     * @param port the port, {@code 0} for any free one
     * @return settings with {@code auth=false}, {@code ssl=false}, environment {@code development}
     */
    public static RemoteJmxSettings unauthenticated(int port) {
        return new RemoteJmxSettings(DEFAULT_HOST, port, false, null, null, false, "development");
    }

    /**
     * Settings for an authenticated loopback connector.
     *
     * @param port the port, {@code 0} for any free one
     * @param passwordFile the password file (mode 600)
     * @param accessFile the access file
     * @param environment the environment name
     * @return settings with {@code auth=true}, {@code ssl=false}
     */
    public static RemoteJmxSettings authenticated(int port, Path passwordFile, Path accessFile, String environment) {
        return new RemoteJmxSettings(DEFAULT_HOST, port, true, passwordFile, accessFile, false, environment);
    }

    /**
     * @param newHost the bind address
     * @return a copy bound to {@code newHost}
     */
    public RemoteJmxSettings withHost(String newHost) {
        return new RemoteJmxSettings(newHost, port, auth, passwordFile, accessFile, ssl, environment);
    }

    /**
     * @param enabled whether to use TLS
     * @return a copy with TLS switched on or off
     */
    public RemoteJmxSettings withSsl(boolean enabled) {
        return new RemoteJmxSettings(host, port, auth, passwordFile, accessFile, enabled, environment);
    }

    /**
     * @param env the environment name
     * @return a copy for environment {@code env}
     */
    public RemoteJmxSettings withEnvironment(String env) {
        return new RemoteJmxSettings(host, port, auth, passwordFile, accessFile, ssl, env);
    }
}
