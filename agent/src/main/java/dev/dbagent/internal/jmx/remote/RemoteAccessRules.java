package dev.dbagent.internal.jmx.remote;

import dev.dbagent.OperationRefusedException;
import dev.dbagent.config.Environment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** The checks both remote doors (RMI and Jolokia) apply before they open. Stateless. */
final class RemoteAccessRules {

    private RemoteAccessRules() {
    }

    /** Staging and production never run an unauthenticated management endpoint. */
    static boolean requiresAuth(String environment) {
        return Environment.parse(environment).map(Environment::isProtected).orElse(false);
    }

    static void refuseUnauthenticated(String what, boolean auth, String environment) {
        if (!auth && requiresAuth(environment)) {
            throw new OperationRefusedException(what + " refused to start without authentication in environment '"
                    + environment + "': set auth=true with a password file (and an access file or policy)");
        }
    }

    /**
     * The JDK's own agent refuses a password file that others can read; so do we, since it holds
     * clear-text passwords.
     */
    static void requireOwnerOnly(String key, Path file) {
        requireReadable(key, file);
        if (Files.getFileAttributeView(file, PosixFileAttributeView.class) == null) {
            return;
        }
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (IOException e) {
            throw new OperationRefusedException(key + " " + file + ": cannot read its permissions: " + e.getMessage());
        }
        Set<PosixFilePermission> open = EnumSet.copyOf(perms);
        open.retainAll(EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE));
        if (!open.isEmpty()) {
            throw new OperationRefusedException(key + " " + file + " must be readable by its owner only"
                    + " (chmod 600), but it grants " + open);
        }
    }

    static void requireReadable(String key, Path file) {
        if (file == null) {
            throw new OperationRefusedException(key + " is required when auth=true");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new OperationRefusedException(key + " " + file + " does not exist or is not readable");
        }
    }
}
