package dev.dbagent.internal.jmx.remote;

import dev.dbagent.config.Environment;
import dev.dbagent.config.JmxRemoteSettings;
import dev.dbagent.config.JolokiaSettings;
import dev.dbagent.config.Secret;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * How {@link JolokiaServer} exposes JMX over HTTP.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the password.
 *
 * @param host address to bind to; {@code 127.0.0.1} keeps Jolokia on loopback
 * @param port TCP port, {@code 0} picks a free one
 * @param auth whether requests need HTTP basic authentication
 * @param user a single basic-auth user with read-write rights, or {@code null} when the users
 *     come from {@code passwordFile}
 * @param password that user's password; never logged
 * @param passwordFile users and passwords in the JDK {@code jmxremote.password} format (owner-only
 *     file), or {@code null} for the single {@code user}
 * @param accessFile roles in the JDK {@code jmxremote.access} format: {@code readonly} users may
 *     only read, list, search and ask the version; required with {@code passwordFile}
 * @param policyFile the Jolokia access policy ({@code jmx-config/jolokia-access.xml}); required in
 *     staging and production, without one Jolokia allows every read, write and exec
 * @param environment {@code development}, {@code test}, {@code staging} or {@code production};
 *     staging and production refuse to start without authentication or policy
 */
public record JolokiaServerSettings(
        String host, int port, boolean auth, String user, String password, Path passwordFile, Path accessFile,
        Path policyFile, String environment) {

    /** The default bind address: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /**
     * Checks the values that can be checked without touching the file system.
     *
     * @throws IllegalArgumentException naming the field when one is out of range or missing
     */
    public JolokiaServerSettings {
        host = host == null || host.isBlank() ? DEFAULT_HOST : host.trim();
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("Jolokia port must be between 0 and 65535, but was " + port);
        }
        if (auth && passwordFile == null) {
            if (user == null || user.isBlank()) {
                throw new IllegalArgumentException("Jolokia user (or password file) must be set when auth=true");
            }
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("Jolokia password must be set when auth=true");
            }
        }
        if (auth && passwordFile != null && accessFile == null) {
            throw new IllegalArgumentException("Jolokia access file must be set with a password file");
        }
        environment = Objects.requireNonNullElse(environment, "development").trim().toLowerCase(Locale.ROOT);
    }

    /**
     * The settings the agent's configuration ({@code dbagent.jolokia.*}) describes: one
     * read-write user.
     *
     * @param config the validated Jolokia section of the agent configuration
     * @param environment the agent's environment
     * @return the equivalent settings
     */
    public static JolokiaServerSettings from(JolokiaSettings config, Environment environment) {
        return new JolokiaServerSettings(config.host(), config.port(), config.auth(), config.user().orElse(null),
                config.password().map(Secret::reveal).orElse(null), null, null, config.policyFile().orElse(null),
                environment.key());
    }

    /**
     * The settings the agent's configuration describes, with the users and roles of the
     * remote-JMX password and access files instead of the single Jolokia user, so that
     * {@code monitor} can only read over Jolokia too.
     *
     * @param config the validated Jolokia section (its user and password are not used)
     * @param jmxRemote the remote-JMX section holding the password and access files
     * @param environment the agent's environment
     * @return the equivalent settings
     * @throws IllegalArgumentException if the remote-JMX section has no password or access file
     */
    public static JolokiaServerSettings from(JolokiaSettings config, JmxRemoteSettings jmxRemote,
            Environment environment) {
        return new JolokiaServerSettings(config.host(), config.port(), config.auth(), null, null,
                jmxRemote.passwordFile().orElseThrow(() -> new IllegalArgumentException(
                        "dbagent.jmx.remote.passwordFile is required to share users with Jolokia")),
                jmxRemote.accessFile().orElseThrow(() -> new IllegalArgumentException(
                        "dbagent.jmx.remote.accessFile is required to share users with Jolokia")),
                config.policyFile().orElse(null), environment.key());
    }

    /**
     * Loopback, basic authentication and a policy: the shape every environment should use.
     *
     * @param port the port, {@code 0} for any free one
     * @param user basic-auth user
     * @param password basic-auth password
     * @param policyFile the access policy
     * @param environment the environment name
     * @return the settings
     */
    public static JolokiaServerSettings authenticated(
            int port, String user, String password, Path policyFile, String environment) {
        return new JolokiaServerSettings(DEFAULT_HOST, port, true, user, password, null, null, policyFile, environment);
    }

    /**
     * Loopback, basic authentication against the remote-JMX password and access files (so
     * {@code monitor} reads and {@code operator} also executes), and a policy.
     *
     * @param port the port, {@code 0} for any free one
     * @param passwordFile users and passwords (mode 600)
     * @param accessFile users and their roles
     * @param policyFile the access policy
     * @param environment the environment name
     * @return the settings
     */
    public static JolokiaServerSettings withUsers(
            int port, Path passwordFile, Path accessFile, Path policyFile, String environment) {
        return new JolokiaServerSettings(DEFAULT_HOST, port, true, null, null, passwordFile, accessFile, policyFile,
                environment);
    }

    /** @return the settings with the password masked */
    @Override
    public String toString() {
        return "JolokiaServerSettings[host=" + host + ", port=" + port + ", auth=" + auth + ", user=" + user
                + ", password=" + (password == null ? "null" : "****") + ", passwordFile=" + passwordFile
                + ", accessFile=" + accessFile + ", policyFile=" + policyFile
                + ", environment=" + environment + "]";
    }
}
