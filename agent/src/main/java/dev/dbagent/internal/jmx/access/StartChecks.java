package dev.dbagent.internal.jmx.access;

import dev.dbagent.OperationRefusedException;
import dev.dbagent.config.Environment;
import dev.dbagent.config.JmxRemoteSettings;
import dev.dbagent.config.JolokiaSettings;
import dev.dbagent.config.Secret;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jolokia.server.core.restrictor.policy.PolicyRestrictor;

/**
 * Everything the remote doors refuse at start-up, as a list of problems that each name the key:
 * the config loader reports them (rule 6: what start-up would refuse, loading refuses) and
 * {@code RemoteJmxServer} / {@code JolokiaServer} check the same list again when they start.
 * Reads the files it checks (password, access, policy, key store); stateless and thread-safe.
 */
public final class StartChecks {

    private static final String JMX = "dbagent.jmx.remote.";
    private static final String JOLOKIA = "dbagent.jolokia.";

    private StartChecks() {
    }

    /**
     * @param s the remote-JMX section
     * @param env the agent's environment
     * @return the problems; empty when the connector is disabled or can start
     */
    public static List<String> jmxRemote(JmxRemoteSettings s, Environment env) {
        List<String> problems = new ArrayList<>();
        if (!s.enabled()) {
            return problems;
        }
        if (!s.auth() && env.isProtected()) {
            problems.add(JMX + "auth=false: remote JMX must require authentication in " + env.key());
        }
        host(JMX, s.host()).ifPresent(problems::add);
        if (s.auth()) {
            users(JMX, s.passwordFile(), s.accessFile(), problems);
        }
        // (without authentication there is no password to protect, and that is refused above)
        if (env.isProtected() && s.auth() && !s.ssl() && !loopback(s.host())) {
            problems.add(JMX + "ssl=false: remote JMX on " + s.host() + " (not loopback) must use TLS in "
                    + env.key() + ", or passwords cross the network in clear text");
        }
        return problems;
    }

    /**
     * @param s the Jolokia section
     * @param jmx the remote-JMX section, whose files Jolokia shares when it has no user of its own
     * @param env the agent's environment
     * @return the problems; empty when Jolokia is disabled or can start
     */
    public static List<String> jolokia(JolokiaSettings s, JmxRemoteSettings jmx, Environment env) {
        List<String> problems = new ArrayList<>();
        // TLS halves are refused even when Jolokia is off: such a config says something it does not do
        tls(s, problems);
        if (!s.enabled()) {
            return problems;
        }
        if (!s.auth() && env.isProtected()) {
            problems.add(JOLOKIA + "auth=false: Jolokia must require authentication in " + env.key());
        }
        host(JOLOKIA, s.host()).ifPresent(problems::add);
        if (s.auth()) {
            if (s.sharesJmxUsers()) {
                users(JMX, jmx.passwordFile(), jmx.accessFile(), problems);
            } else {
                if (s.user().filter(u -> !u.isBlank()).isEmpty()) {
                    problems.add(JOLOKIA + "user is required when " + JOLOKIA + "auth=true (or leave user and"
                            + " password unset and set " + JMX + "passwordFile and accessFile to share their users)");
                }
                if (s.password().map(Secret::reveal).filter(p -> !p.isEmpty()).isEmpty()) {
                    problems.add(JOLOKIA + "password is required when " + JOLOKIA + "auth=true");
                }
            }
        }
        if (s.policyFile().isEmpty()) {
            if (env.isProtected()) {
                problems.add(JOLOKIA + "policyFile is required in " + env.key()
                        + " (jmx-config/jolokia-access.xml: client addresses and CORS origins)");
            }
        } else {
            policy(s.policyFile().get()).ifPresent(problems::add);
        }
        if (env.isProtected() && s.auth() && !s.ssl() && !loopback(s.host())) {
            problems.add(JOLOKIA + "ssl=false: Jolokia on " + s.host() + " (not loopback) must use https in "
                    + env.key() + ", or basic-auth passwords cross the network in clear text");
        }
        return problems;
    }

    /**
     * Throws when the list is not empty.
     *
     * @param what the door, e.g. {@code "remote JMX"}
     * @param problems the problems
     * @throws OperationRefusedException naming every problem
     */
    public static void refuseIfAny(String what, List<String> problems) {
        if (!problems.isEmpty()) {
            throw new OperationRefusedException(what + " refused to start: " + String.join("; ", problems));
        }
    }

    /**
     * Opens a key store with its password.
     *
     * @param file the key store (PKCS12 or JKS; the type is detected)
     * @param password its password
     * @return the loaded key store
     * @throws IOException or {@link GeneralSecurityException} when it cannot be opened
     */
    public static KeyStore keyStore(Path file, Secret password) throws IOException, GeneralSecurityException {
        return KeyStore.getInstance(file.toFile(), password.reveal().toCharArray());
    }

    private static void tls(JolokiaSettings s, List<String> problems) {
        if (s.ssl()) {
            if (s.keystore().isEmpty()) {
                problems.add(JOLOKIA + "keystore is required when " + JOLOKIA + "ssl=true");
            }
            if (s.keystorePassword().isEmpty()) {
                problems.add(JOLOKIA + "keystorePassword is required when " + JOLOKIA + "ssl=true");
            }
            if (s.keystore().isPresent() && s.keystorePassword().isPresent()) {
                try {
                    KeyStore ks = keyStore(s.keystore().get(), s.keystorePassword().get());
                    if (!hasKey(ks)) {
                        problems.add(JOLOKIA + "keystore " + s.keystore().get() + " holds no private key");
                    }
                } catch (IOException | GeneralSecurityException | RuntimeException e) {
                    // the exception text never holds the password, but be sure: name the class only
                    problems.add(JOLOKIA + "keystore " + s.keystore().get() + " cannot be opened with "
                            + JOLOKIA + "keystorePassword (" + e.getClass().getSimpleName() + ")");
                }
            }
        } else if (s.keystore().isPresent() || s.keystorePassword().isPresent()) {
            problems.add(JOLOKIA + "keystore/keystorePassword are set but " + JOLOKIA
                    + "ssl=false: set ssl=true to serve https, or remove them");
        }
    }

    private static boolean hasKey(KeyStore ks) throws GeneralSecurityException {
        for (String alias : java.util.Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(alias)) {
                return true;
            }
        }
        return false;
    }

    private static void users(String prefix, Optional<Path> passwordFile, Optional<Path> accessFile,
            List<String> problems) {
        int before = problems.size();
        if (passwordFile.isEmpty()) {
            problems.add(prefix + "passwordFile is required when " + prefix + "auth=true");
        } else {
            ownerOnly(prefix + "passwordFile", passwordFile.get()).ifPresent(problems::add);
        }
        if (accessFile.isEmpty()) {
            problems.add(prefix + "accessFile is required when " + prefix
                    + "auth=true (it gives each user the monitor or operator role)");
        } else {
            readable(prefix + "accessFile", accessFile.get()).ifPresent(problems::add);
        }
        if (problems.size() == before) {
            try {
                Users users = Users.fromFiles(passwordFile.get(), accessFile.get());
                if (users.roles().isEmpty()) {
                    problems.add(prefix + "passwordFile/accessFile: no user has both a password and a role");
                }
            } catch (OperationRefusedException e) {
                problems.add(prefix + "passwordFile/accessFile: " + e.getMessage());
            }
        }
    }

    private static Optional<String> policy(Path file) {
        Optional<String> unreadable = readable(JOLOKIA + "policyFile", file);
        if (unreadable.isPresent()) {
            return unreadable;
        }
        try (InputStream in = Files.newInputStream(file)) {
            new PolicyRestrictor(in);
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(JOLOKIA + "policyFile " + file + " is not a valid Jolokia policy: " + e.getMessage());
        }
    }

    private static Optional<String> host(String prefix, String host) {
        try {
            InetAddress.getByName(host);
            return Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.of(prefix + "host=" + host + ": cannot be resolved");
        }
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static Optional<String> readable(String key, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            return Optional.of(key + " " + file + " does not exist or is not readable");
        }
        return Optional.empty();
    }

    /** The JDK's agent refuses a password file others can read; so do we: it holds clear-text passwords. */
    static Optional<String> ownerOnly(String key, Path file) {
        Optional<String> unreadable = readable(key, file);
        if (unreadable.isPresent() || Files.getFileAttributeView(file, PosixFileAttributeView.class) == null) {
            return unreadable;
        }
        try {
            Set<PosixFilePermission> open = EnumSet.copyOf(Files.getPosixFilePermissions(file));
            open.retainAll(EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE));
            return open.isEmpty() ? Optional.empty()
                    : Optional.of(key + " " + file + " must be readable by its owner only (chmod 600), but it grants "
                            + open);
        } catch (IOException e) {
            return Optional.of(key + " " + file + ": cannot read its permissions: " + e.getMessage());
        }
    }
}
