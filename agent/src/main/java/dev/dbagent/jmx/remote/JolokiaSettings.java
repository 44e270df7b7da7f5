package dev.dbagent.jmx.remote;

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
 * @param user the basic-auth user name (required when {@code auth})
 * @param password the basic-auth password (required when {@code auth}); never logged
 * @param policyFile the Jolokia access policy ({@code jmx-config/jolokia-access.xml}); required in
 *     staging and production, without one Jolokia allows every read, write and exec
 * @param environment {@code development}, {@code test}, {@code staging} or {@code production};
 *     staging and production refuse to start without authentication or policy
 */
public record JolokiaSettings(
        String host, int port, boolean auth, String user, String password, Path policyFile, String environment) {

    /** The default bind address: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /**
     * Checks the values that can be checked without touching the file system.
     *
     * @throws IllegalArgumentException naming the field when one is out of range or missing
     */
    public JolokiaSettings {
        host = host == null || host.isBlank() ? DEFAULT_HOST : host.trim();
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("Jolokia port must be between 0 and 65535, but was " + port);
        }
        if (auth && (user == null || user.isBlank())) {
            throw new IllegalArgumentException("Jolokia user must be set when auth=true");
        }
        if (auth && (password == null || password.isEmpty())) {
            throw new IllegalArgumentException("Jolokia password must be set when auth=true");
        }
        environment = Objects.requireNonNullElse(environment, "development").trim().toLowerCase(Locale.ROOT);
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
    public static JolokiaSettings authenticated(
            int port, String user, String password, Path policyFile, String environment) {
        return new JolokiaSettings(DEFAULT_HOST, port, true, user, password, policyFile, environment);
    }

    /** @return the settings with the password masked */
    @Override
    public String toString() {
        return "JolokiaSettings[host=" + host + ", port=" + port + ", auth=" + auth + ", user=" + user
                + ", password=" + (password == null ? "null" : "****") + ", policyFile=" + policyFile
                + ", environment=" + environment + "]";
    }
}
