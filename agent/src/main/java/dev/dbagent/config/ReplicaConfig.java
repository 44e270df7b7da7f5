package dev.dbagent.config;

import dev.dbagent.mbeans.ObjectNames;
import java.util.Objects;
import java.util.Optional;

/**
 * One read replica of a database. User and password are the effective ones: a replica without
 * its own {@code replicas.<i>.user}/{@code .password} inherits the primary's.
 *
 * <p>Immutable and thread-safe. {@link #toString()} masks the URL and never shows the password.
 *
 * @param index the {@code <i>} of its {@code dbagent.db.<name>.replicas.<i>.*} keys
 * @param url the replica's JDBC URL
 * @param user the user to connect as, if any
 * @param password the password, if any
 */
public record ReplicaConfig(int index, String url, Optional<String> user, Optional<Secret> password) {
    /**
     * Creates the value; validation of ranges is done by the config loader, not here.
     *
     * @param index the {@code <i>} of its {@code dbagent.db.<name>.replicas.<i>.*} keys
     * @param url the replica's JDBC URL
     * @param user the user to connect as, if any
     * @param password the password, if any
     * @throws NullPointerException if a reference component is null
     */
    public ReplicaConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    /** @return the role name used in ObjectNames and messages, {@code replica-<index>} */
    public String role() {
        return ObjectNames.replicaRole(index);
    }

    @Override
    public String toString() {
        return "ReplicaConfig[index=" + index + ", url=" + JdbcUrls.mask(url) + ", user=" + user.orElse("")
                + ", password=" + (password.isPresent() ? "****" : "") + "]";
    }
}
