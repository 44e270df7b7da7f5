package dev.dbagent.internal.pool;

import dev.dbagent.config.Secret;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The password a {@link ConnectionFactory} logs in with, read at each connect, so that a rotated
 * credential reaches every factory derived from the same one (pools, operations, probes) without
 * rebuilding them. Either holds a {@link Secret} that can be replaced ({@link #use}), or reads
 * another credential through a supplier (operations read the primary pool's).
 *
 * <p>Thread-safe: the secret is published through a volatile field.
 */
final class Credential {
    private volatile Secret secret;
    private final Supplier<String> supplied;

    private Credential(Secret secret, Supplier<String> supplied) {
        this.secret = secret;
        this.supplied = supplied;
    }

    /** @param secret the password, or null for none */
    static Credential of(Secret secret) {
        return new Credential(secret, null);
    }

    /** @param password read at each connect; may answer null for none */
    static Credential supplied(Supplier<String> password) {
        return new Credential(null, password);
    }

    /** @return the password now, or null */
    String password() {
        if (supplied != null) {
            return supplied.get();
        }
        Secret s = secret;
        return s == null ? null : s.reveal();
    }

    /** @return the secret now; null when there is none or it is supplied from elsewhere */
    Secret secret() {
        return secret;
    }

    /** @return {@code env:NAME}, {@code file:PATH}, {@code literal}, {@code supplied} or {@code none}; never a value */
    String source() {
        if (supplied != null) {
            return "supplied";
        }
        Secret s = secret;
        return s == null ? "none" : s.source().orElse("literal");
    }

    /** @return the secret of the source, read again (see {@link Secret#reread()}) */
    Optional<Secret> reread() {
        Secret s = secret;
        if (supplied != null) {
            throw new IllegalStateException("the password is taken from another connection factory; rotate that one");
        }
        return s == null ? Optional.empty() : Optional.of(s.reread());
    }

    /** Replaces the password for every connection opened from now on. */
    void use(Secret next) {
        if (supplied != null) {
            throw new IllegalStateException("the password is taken from another connection factory");
        }
        this.secret = next;
    }

    @Override
    public String toString() {
        return "Credential[" + source() + "]";
    }
}
