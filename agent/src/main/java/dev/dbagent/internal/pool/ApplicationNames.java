package dev.dbagent.internal.pool;

import java.nio.charset.StandardCharsets;

/**
 * The {@code application_name} of every connection dbagent opens:
 * {@code dbagent/<agent>/<instance>/<db>/<role>}, so that {@code pg_stat_activity} tells which
 * instance of which application holds a session, and an agent can find its own sessions by the
 * prefix {@code dbagent/<agent>/<instance>/}.
 *
 * <p>PostgreSQL keeps at most 63 bytes ({@code NAMEDATALEN - 1}) and cuts longer names at a byte
 * boundary, which may split a multi-byte character; names are therefore cut here first, at a
 * character boundary, so what the server shows is exactly what the agent computed.
 *
 * <p>Stateless and thread-safe.
 */
public final class ApplicationNames {
    /** The most bytes PostgreSQL keeps of an {@code application_name}. */
    public static final int MAX_BYTES = 63;

    private ApplicationNames() {}

    /**
     * @param agent the agent name
     * @param instance the instance id
     * @param database the logical database name
     * @param role {@code primary}, {@code replica-N}, {@code ops}, {@code migrate}, ...
     * @return the application name, at most {@link #MAX_BYTES} bytes in UTF-8
     */
    public static String of(String agent, String instance, String database, String role) {
        return truncate("dbagent/" + agent + "/" + instance + "/" + database + "/" + role);
    }

    /**
     * The prefix all of one instance's sessions share, cut like the names themselves so that a
     * prefix match finds them even when the prefix alone exceeds the limit.
     *
     * @param agent the agent name
     * @param instance the instance id
     * @return {@code dbagent/<agent>/<instance>/}, at most {@link #MAX_BYTES} bytes
     */
    public static String instancePrefix(String agent, String instance) {
        return truncate("dbagent/" + agent + "/" + instance + "/");
    }

    /**
     * @param name any string
     * @return its longest prefix that is at most {@link #MAX_BYTES} bytes in UTF-8 and does not
     *     split a character (a surrogate pair counts as one character)
     */
    public static String truncate(String name) {
        if (name.length() * 3 <= MAX_BYTES || name.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES) {
            return name;
        }
        int bytes = 0;
        int i = 0;
        while (i < name.length()) {
            int cp = name.codePointAt(i);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > MAX_BYTES) {
                break;
            }
            bytes += len;
            i += Character.charCount(cp);
        }
        return name.substring(0, i);
    }

    /**
     * The agent name in an application name written by {@link #of}.
     *
     * @param applicationName a session's {@code application_name}
     * @return the agent part, or null if the name is not a dbagent one in this form
     */
    public static String agentOf(String applicationName) {
        if (applicationName == null || !applicationName.startsWith("dbagent/")) {
            return null;
        }
        int end = applicationName.indexOf('/', "dbagent/".length());
        return end < 0 ? null : applicationName.substring("dbagent/".length(), end);
    }
}
