package dev.dbagent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The management HTTP endpoint the agent may start: {@code /health/live}, {@code /health/ready}
 * and {@code /metrics}. Keys {@code dbagent.http.*}. Validation guarantees that in staging and
 * production an enabled endpoint requires authentication for {@code /metrics}, that
 * authentication has a user and a password, and that TLS has both a keystore and its password.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows a password.
 *
 * @param enabled start the endpoint ({@code http.enabled})
 * @param host the address to bind ({@code http.host})
 * @param port the port, 0 = any free port ({@code http.port})
 * @param auth require HTTP basic authentication for {@code /metrics} ({@code http.auth})
 * @param user the {@code /metrics} user ({@code http.user})
 * @param password the {@code /metrics} password ({@code http.password})
 * @param readyWhenDegraded whether DEGRADED health counts as ready ({@code http.readyWhenDegraded})
 * @param threads request threads ({@code http.threads})
 * @param requestTimeout longest time a client may take to send its request ({@code http.requestTimeoutMillis})
 * @param keystore keystore for https; empty = plain http ({@code http.tls.keystore})
 * @param keystorePassword password of the keystore and its key ({@code http.tls.keystorePassword})
 * @param keystoreType {@code pkcs12} or {@code jks} ({@code http.tls.keystoreType})
 */
public record HttpSettings(boolean enabled, String host, int port, boolean auth, Optional<String> user,
        Optional<Secret> password, boolean readyWhenDegraded, int threads, Duration requestTimeout,
        Optional<Path> keystore, Optional<Secret> keystorePassword, String keystoreType) {

    /**
     * Checks references; ranges and the rules between keys are checked by the config loader.
     *
     * @throws NullPointerException if a reference component is null
     */
    public HttpSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(keystorePassword, "keystorePassword");
        Objects.requireNonNull(keystoreType, "keystoreType");
    }

    /** @return the settings of an endpoint that is not started (the default everywhere) */
    public static HttpSettings disabled() {
        return new HttpSettings(false, "127.0.0.1", 9464, true, Optional.empty(), Optional.empty(), true, 2,
                Duration.ofSeconds(5), Optional.empty(), Optional.empty(), "pkcs12");
    }

    /** @return whether the endpoint serves https */
    public boolean tls() {
        return keystore.isPresent();
    }
}
