package dev.dbagent.config;

import java.util.Locale;
import java.util.Optional;

/**
 * The PostgreSQL JDBC {@code sslmode} connection parameter.
 *
 * <p>Immutable and thread-safe.
 */
public enum SslMode {
    /** Never use TLS. */
    DISABLE,
    /** Use TLS only if the server insists. */
    ALLOW,
    /** Use TLS if the server supports it. */
    PREFER,
    /** Require TLS, do not verify the certificate. */
    REQUIRE,
    /** Require TLS and verify the certificate chain. */
    VERIFY_CA,
    /** Require TLS, verify the chain and that the host name matches. */
    VERIFY_FULL;

    /** @return the value pgJDBC expects, e.g. {@code verify-full} */
    public String value() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @param value a pgJDBC sslmode value, case-insensitive, e.g. {@code verify-full}
     * @return the mode, or empty if unknown
     */
    public static Optional<SslMode> parse(String value) {
        for (SslMode m : values()) {
            if (m.value().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return value();
    }
}
