package dev.dbagent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A secret value such as a password. {@link #toString()} always returns {@code "****"}, so a
 * secret that ends up in a log line, an exception message or a config's {@code toString} does
 * not leak; only {@link #reveal()} returns the value, and only code that hands it to a driver or
 * an authenticator should call it.
 *
 * <p>A secret loaded from an {@code env:} or {@code file:} reference remembers where it came from
 * ({@link #source()}), so that it can be read again ({@link #reread()}) when the credential is
 * rotated while the application runs; a literal secret has no source.
 *
 * <p>Immutable and thread-safe.
 */
public final class Secret {
    private static final String MASK = "****";
    private final String value;
    /** {@code env:NAME} or {@code file:PATH}; null for a literal. */
    private final String source;
    /** Where an {@code env:} source is looked up again; null otherwise. */
    private final Map<String, String> env;

    private Secret(String value, String source, Map<String, String> env) {
        this.value = value;
        this.source = source;
        this.env = env;
    }

    /**
     * @param value the secret value, taken literally (no {@code env:}/{@code file:} resolution;
     *     that happens when a configuration is loaded)
     * @return a secret wrapping {@code value}
     * @throws NullPointerException if {@code value} is null
     */
    public static Secret of(String value) {
        return new Secret(Objects.requireNonNull(value, "secret value"), null, null);
    }

    /** A secret read from environment variable {@code name} of {@code env}, which {@link #reread()} consults again. */
    static Secret fromEnv(String name, String value, Map<String, String> env) {
        return new Secret(Objects.requireNonNull(value, "secret value"), "env:" + name, env);
    }

    /**
     * @param file the file holding the secret
     * @return its content without trailing line breaks, remembering the file as its source
     * @throws IOException if the file cannot be read
     */
    static Secret fromFile(Path file) throws IOException {
        return new Secret(readFile(file), "file:" + file, null);
    }

    private static String readFile(Path file) throws IOException {
        return Files.readString(file).replaceAll("[\\r\\n]+$", "");
    }

    /**
     * @return where the value was read from: {@code env:NAME} or {@code file:PATH}; empty for a
     *     literal secret. Never the value itself.
     */
    public Optional<String> source() {
        return Optional.ofNullable(source);
    }

    /**
     * Reads the secret again from its source, e.g. after a credential rotation rewrote a mounted
     * secret file. Does not change this secret. An {@code env:} source is read from the map the
     * configuration was loaded with: a process's own environment cannot change while it runs, so
     * rotation through {@code env:} needs a restart; rotation through {@code file:} does not.
     *
     * <p>Blocks while the file is read.
     *
     * @return a new secret with the current value and the same source
     * @throws IllegalStateException if this secret is a literal (nothing to re-read), or the
     *     source cannot be read now; the message names the source, never a value
     */
    public Secret reread() {
        if (source == null) {
            throw new IllegalStateException("the secret is configured literally; only an env: or file: reference can be"
                    + " read again");
        }
        if (env != null) {
            String name = source.substring(4);
            String now = env.get(name);
            if (now == null) {
                throw new IllegalStateException("environment variable " + name + " (" + source + ") is not set");
            }
            return new Secret(now, source, env);
        }
        Path file = Path.of(source.substring(5));
        try {
            return new Secret(readFile(file), source, null);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("file " + file + " (" + source + ") cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
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
