package dev.dbagent.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value such as a password. {@link #toString()} always returns {@code "****"}, so a
 * secret that ends up in a log line, an exception message or a config's {@code toString} does
 * not leak; only {@link #reveal()} returns the value, and only code that hands it to a driver or
 * an authenticator should call it.
 *
 * <p>Immutable and thread-safe.
 */
public final class Secret {
    private static final String MASK = "****";
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /**
     * @param value the secret value, taken literally (no {@code env:}/{@code file:} resolution;
     *     that happens when a configuration is loaded)
     * @return a secret wrapping {@code value}
     * @throws NullPointerException if {@code value} is null
     */
    public static Secret of(String value) {
        return new Secret(Objects.requireNonNull(value, "secret value"));
    }

    /** @return the secret value; do not log it */
    public String reveal() {
        return value;
    }

    /** @return always {@code "****"} */
    @Override
    public String toString() {
        return MASK;
    }

    /** Compares in constant time, so equality checks do not leak the value through timing. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other
                && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                        other.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        // A constant keeps hash-based collections working without deriving anything from the value.
        return 0x5ec7e7;
    }
}
