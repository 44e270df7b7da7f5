package dev.dbagent.internal.jmx.access;

import dev.dbagent.OperationRefusedException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The remote users and their roles, read once from a JDK-format password file
 * ({@code <user> <password>} lines) and access file ({@code <user> readonly|readwrite} lines),
 * or a single configured user with the operator role. The same table authenticates the RMI
 * connector and Jolokia, so both doors know the same people.
 *
 * <p>A user in the password file but not in the access file cannot log in. The JDK's
 * {@code create} and {@code unregister} clauses are refused: no remote caller may create MBeans.
 * Immutable and thread-safe; {@link #toString()} never shows a password.
 */
public final class Users {

    private static final byte[] NO_PASSWORD = new byte[32];

    private final Map<String, byte[]> passwords;
    private final Map<String, Role> roles;

    private Users(Map<String, byte[]> passwords, Map<String, Role> roles) {
        this.passwords = Map.copyOf(passwords);
        this.roles = Map.copyOf(roles);
    }

    /**
     * One user with the operator role.
     *
     * @param user the user name
     * @param password the password
     * @return the table
     */
    public static Users single(String user, String password) {
        return new Users(Map.of(user, password.getBytes(StandardCharsets.UTF_8)), Map.of(user, Role.OPERATOR));
    }

    /**
     * Reads both files.
     *
     * @param passwordFile {@code <user> <password>} lines
     * @param accessFile {@code <user> readonly|readwrite} lines
     * @return the table
     * @throws OperationRefusedException naming the file and line number (never the line, which may
     *     hold a password) when a file cannot be read or a line is malformed
     */
    public static Users fromFiles(Path passwordFile, Path accessFile) {
        Map<String, byte[]> passwords = new HashMap<>();
        for (Line line : lines(passwordFile, "password file")) {
            if (line.parts().length != 2) {
                throw new OperationRefusedException("password file " + passwordFile + ": line " + line.number()
                        + " must be '<user> <password>' (hashed JDK entries are not supported)");
            }
            passwords.put(line.parts()[0], line.parts()[1].getBytes(StandardCharsets.UTF_8));
        }
        Map<String, Role> roles = new HashMap<>();
        for (Line line : lines(accessFile, "access file")) {
            String[] parts = line.parts();
            Optional<Role> role = parts.length == 2 ? Role.ofAccessLevel(parts[1]) : Optional.empty();
            if (role.isEmpty()) {
                throw new OperationRefusedException("access file " + accessFile + ": line " + line.number()
                        + " must be '<user> readonly|readwrite' (create/unregister clauses are not allowed)");
            }
            roles.put(parts[0], role.get());
        }
        passwords.keySet().retainAll(roles.keySet());
        return new Users(passwords, roles);
    }

    /**
     * Checks a user's password in constant time (also for unknown users, so timing does not tell
     * which users exist).
     *
     * @param user the user name
     * @param password the password
     * @return the user's role, or empty when the user is unknown, has no role or the password is wrong
     */
    public Optional<Role> authenticate(String user, String password) {
        byte[] expected = user == null ? null : passwords.get(user);
        byte[] given = password == null ? new byte[0] : password.getBytes(StandardCharsets.UTF_8);
        boolean matches = MessageDigest.isEqual(expected == null ? NO_PASSWORD : expected, given);
        return expected != null && matches ? Optional.ofNullable(roles.get(user)) : Optional.empty();
    }

    /**
     * @param user a user name
     * @return the user's role, if the user can log in
     */
    public Optional<Role> roleOf(String user) {
        return passwords.containsKey(user) ? Optional.ofNullable(roles.get(user)) : Optional.empty();
    }

    /** @return the users who can log in, with their roles */
    public Map<String, Role> roles() {
        Map<String, Role> loginable = new HashMap<>(roles);
        loginable.keySet().retainAll(passwords.keySet());
        return Map.copyOf(loginable);
    }

    @Override
    public String toString() {
        return "Users" + roles();
    }

    private record Line(int number, String[] parts) {
    }

    private static List<Line> lines(Path file, String what) {
        List<String> raw;
        try {
            raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new OperationRefusedException(what + " " + file + " cannot be read: " + e.getMessage());
        }
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String line = raw.get(i).strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                lines.add(new Line(i + 1, line.split("\\s+")));
            }
        }
        return lines;
    }
}
