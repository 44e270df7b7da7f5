package dev.dbagent.internal.jmx.access;

import java.security.Principal;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.Subject;

/**
 * The role an authenticated remote caller was granted, carried in its {@link Subject} next to
 * the user principal. Immutable.
 *
 * @param role the role
 */
public record RolePrincipal(Role role) implements Principal {

    /** @param role the role */
    public RolePrincipal {
        Objects.requireNonNull(role, "role");
    }

    @Override
    public String getName() {
        return "role:" + role.key();
    }

    /**
     * @param subject an authenticated subject, may be null
     * @return the role it carries; empty for null or a subject without one
     */
    public static Optional<Role> of(Subject subject) {
        if (subject == null) {
            return Optional.empty();
        }
        return subject.getPrincipals(RolePrincipal.class).stream().map(RolePrincipal::role).findFirst();
    }
}
