package dev.dbagent.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where this agent stands among the many copies of an application that share one PostgreSQL
 * cluster. Keys {@code dbagent.instance} and {@code dbagent.fleet.*}.
 *
 * <p>The instance id appears in every connection's {@code application_name}
 * ({@code dbagent/<agent>/<instance>/<db>/<role>}), in the Agent MBean, in notifications and in
 * audit rows, so an operator can tell whose sessions and operations they see.
 *
 * <p>Immutable and thread-safe.
 *
 * @param instance this agent's instance id ({@code dbagent.instance}, default {@code <host>:<pid>})
 * @param expectedInstances how many instances of this agent the cluster is sized for
 *     ({@code dbagent.fleet.expectedInstances}); the connection-budget check multiplies the pool
 *     maxima by it
 */
public record FleetSettings(String instance, int expectedInstances) {
    /** The longest instance id, in UTF-8 bytes; {@code application_name} holds 63 in all. */
    public static final int MAX_INSTANCE_BYTES = 40;

    /**
     * @param instance this agent's instance id
     * @param expectedInstances instances the cluster is sized for, at least 1
     * @throws NullPointerException if {@code instance} is null
     * @throws IllegalArgumentException if the instance id is unusable or {@code expectedInstances < 1}
     */
    public FleetSettings {
        Objects.requireNonNull(instance, "instance");
        String problem = instanceProblem(instance);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (expectedInstances < 1) {
            throw new IllegalArgumentException("dbagent.fleet.expectedInstances must be ≥ 1, but was " + expectedInstances);
        }
    }

    /** @return settings for one instance with the default id */
    public static FleetSettings single() {
        return new FleetSettings(defaultInstance(), 1);
    }

    /**
     * The default instance id: the local host name and this process's id. Characters that an
     * instance id may not hold are replaced by {@code -}, and a long host name is cut so that the
     * id stays within {@link #MAX_INSTANCE_BYTES}.
     *
     * @return {@code <host>:<pid>}
     */
    public static String defaultInstance() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        StringBuilder h = new StringBuilder();
        host.codePoints().forEach(cp -> h.append(cp < 0x21 || cp == '/' || cp > 0x7e ? '-' : (char) cp));
        int room = MAX_INSTANCE_BYTES - pid.length() - 1;
        String cut = h.length() > room ? h.substring(0, room) : h.toString();
        return (cut.isEmpty() ? "localhost" : cut) + ":" + pid;
    }

    /**
     * @param instance a candidate instance id
     * @return why it cannot be used, naming the key, or null if it can
     */
    static String instanceProblem(String instance) {
        if (instance.isBlank()) {
            return "dbagent.instance must not be blank";
        }
        if (instance.indexOf('/') >= 0) {
            // '/' separates the parts of application_name; the sessions check matches on them
            return "dbagent.instance=" + instance + ": must not contain '/' (it separates the parts of application_name)";
        }
        if (instance.codePoints().anyMatch(cp -> Character.isISOControl(cp) || Character.isWhitespace(cp))) {
            return "dbagent.instance must not contain white space or control characters";
        }
        if (instance.codePoints().anyMatch(cp -> cp > 0x7e)) {
            // PostgreSQL replaces non-ASCII characters of application_name (with '?' or \x escapes),
            // so such an id would not match the agent's own sessions on the server
            return "dbagent.instance=" + instance + ": must be printable ASCII (PostgreSQL rewrites other characters"
                    + " in application_name)";
        }
        int bytes = instance.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_INSTANCE_BYTES) {
            return "dbagent.instance=" + instance + ": must be at most " + MAX_INSTANCE_BYTES + " characters, but was "
                    + bytes;
        }
        return null;
    }
}
