package dev.dbagent.config;

import dev.dbagent.internal.jmx.access.StartChecks;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Jolokia HTTP bridge the agent may start. Keys {@code dbagent.jolokia.*}. This is the one
 * settings type of the bridge: the config loader builds it and the bridge starts from it.
 *
 * <p>Users: with {@code auth=true} and no {@code user}/{@code password} of its own, Jolokia shares
 * the users and roles of the remote-JMX password and access files ({@link #sharesJmxUsers()});
 * a single configured user has the operator role.
 *
 * <p>Loading refuses what the bridge would refuse at start-up
 * ({@link #problems(Environment, JmxRemoteSettings)}), including half a TLS configuration.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows a password.
 *
 * @param enabled start the bridge ({@code jolokia.enabled})
 * @param host the address to bind ({@code jolokia.host})
 * @param port the port, 0 = any free port ({@code jolokia.port})
 * @param auth require HTTP basic authentication ({@code jolokia.auth})
 * @param user a single operator user ({@code jolokia.user})
 * @param password that user's password ({@code jolokia.password})
 * @param policyFile Jolokia access policy XML: client addresses and CORS ({@code jolokia.policyFile})
 * @param threads threads serving requests ({@code jolokia.threads})
 * @param maxBodyBytes largest request body accepted ({@code jolokia.maxBodyBytes})
 * @param requestTimeoutSeconds longest a client may take to send a request or read a response
 *     ({@code jolokia.requestTimeoutSeconds})
 * @param ssl serve https ({@code jolokia.ssl})
 * @param keystore key store with the server certificate ({@code jolokia.keystore})
 * @param keystorePassword its password ({@code jolokia.keystorePassword})
 */
public record JolokiaSettings(boolean enabled, String host, int port, boolean auth, Optional<String> user,
        Optional<Secret> password, Optional<Path> policyFile, int threads, int maxBodyBytes,
        int requestTimeoutSeconds, boolean ssl, Optional<Path> keystore, Optional<Secret> keystorePassword) {

    /** The default bind address: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default {@code threads}. */
    public static final int DEFAULT_THREADS = 8;
    /** Default {@code maxBodyBytes}. */
    public static final int DEFAULT_MAX_BODY_BYTES = 65_536;
    /** Default {@code requestTimeoutSeconds}. */
    public static final int DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;

    /**
     * Creates the value; a blank host means {@link #DEFAULT_HOST}.
     *
     * @throws NullPointerException if a reference component is null
     * @throws IllegalArgumentException naming the key if a number is out of range
     */
    public JolokiaSettings {
        host = host == null || host.isBlank() ? DEFAULT_HOST : host.trim();
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(policyFile, "policyFile");
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(keystorePassword, "keystorePassword");
        range("port", port, 0, 65_535);
        range("threads", threads, 2, 64);
        range("maxBodyBytes", maxBodyBytes, 1024, 16_777_216);
        range("requestTimeoutSeconds", requestTimeoutSeconds, 1, 3600);
    }

    private static void range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("dbagent.jolokia." + key + " must be between " + min + " and " + max
                    + ", but was " + value);
        }
    }

    /**
     * An enabled loopback bridge whose users are those of the remote-JMX files, with the default
     * limits and no TLS.
     *
     * @param port the port, {@code 0} for any free one
     * @param policyFile the access policy, or null for none
     * @return the settings
     */
    public static JolokiaSettings sharingJmxUsers(int port, Path policyFile) {
        return new JolokiaSettings(true, DEFAULT_HOST, port, true, Optional.empty(), Optional.empty(),
                Optional.ofNullable(policyFile), DEFAULT_THREADS, DEFAULT_MAX_BODY_BYTES,
                DEFAULT_REQUEST_TIMEOUT_SECONDS, false, Optional.empty(), Optional.empty());
    }

    /**
     * An enabled loopback bridge with one operator user, the default limits and no TLS.
     *
     * @param port the port, {@code 0} for any free one
     * @param user the user
     * @param password the password
     * @param policyFile the access policy, or null for none
     * @return the settings
     */
    public static JolokiaSettings singleUser(int port, String user, String password, Path policyFile) {
        return new JolokiaSettings(true, DEFAULT_HOST, port, true, Optional.of(user), Optional.of(Secret.of(password)),
                Optional.ofNullable(policyFile), DEFAULT_THREADS, DEFAULT_MAX_BODY_BYTES,
                DEFAULT_REQUEST_TIMEOUT_SECONDS, false, Optional.empty(), Optional.empty());
    }

    /**
     * @param newThreads threads
     * @param newMaxBodyBytes body limit
     * @return a copy with these limits
     */
    public JolokiaSettings withLimits(int newThreads, int newMaxBodyBytes) {
        return new JolokiaSettings(enabled, host, port, auth, user, password, policyFile, newThreads, newMaxBodyBytes,
                requestTimeoutSeconds, ssl, keystore, keystorePassword);
    }

    /**
     * @param newKeystore the key store
     * @param newPassword its password
     * @return a copy serving https with this key store
     */
    public JolokiaSettings withTls(Path newKeystore, Secret newPassword) {
        return new JolokiaSettings(enabled, host, port, auth, user, password, policyFile, threads, maxBodyBytes,
                requestTimeoutSeconds, true, Optional.of(newKeystore), Optional.of(newPassword));
    }

    /**
     * @param newAuth whether requests need basic authentication
     * @return a copy
     */
    public JolokiaSettings withAuth(boolean newAuth) {
        return new JolokiaSettings(enabled, host, port, newAuth, user, password, policyFile, threads, maxBodyBytes,
                requestTimeoutSeconds, ssl, keystore, keystorePassword);
    }

    /** @return whether the users come from the remote-JMX password and access files */
    public boolean sharesJmxUsers() {
        return auth && user.isEmpty() && password.isEmpty();
    }

    /**
     * What the bridge would refuse at start-up in this environment; reads the files it names.
     * Half a TLS configuration is a problem even when the bridge is disabled.
     *
     * @param environment the agent's environment
     * @param jmxRemote the remote-JMX section (its files when {@link #sharesJmxUsers()})
     * @return one problem per broken rule, each naming its key
     */
    public List<String> problems(Environment environment, JmxRemoteSettings jmxRemote) {
        return StartChecks.jolokia(this, Objects.requireNonNull(jmxRemote, "jmxRemote"),
                Objects.requireNonNull(environment, "environment"));
    }

    /** @return the settings with the passwords masked */
    @Override
    public String toString() {
        return "JolokiaSettings[enabled=" + enabled + ", host=" + host + ", port=" + port + ", auth=" + auth
                + ", user=" + user.orElse("") + ", password=" + (password.isPresent() ? "****" : "") + ", policyFile="
                + policyFile.map(Path::toString).orElse("") + ", threads=" + threads + ", maxBodyBytes=" + maxBodyBytes
                + ", requestTimeoutSeconds=" + requestTimeoutSeconds + ", ssl=" + ssl + ", keystore="
                + keystore.map(Path::toString).orElse("") + ", keystorePassword="
                + (keystorePassword.isPresent() ? "****" : "") + "]";
    }
}
