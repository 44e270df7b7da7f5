package dev.dbagent.mbeans;

import java.util.Objects;
import java.util.regex.Pattern;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Builds every {@link ObjectName} in the dbagent management contract, and the patterns that
 * select them.
 *
 * <pre>
 * dev.dbagent:type=Agent,agent=&lt;agent&gt;
 * dev.dbagent:type=Pool,agent=&lt;agent&gt;,database=&lt;db&gt;,role=&lt;primary|replica-N&gt;
 * dev.dbagent:type=CircuitBreaker,agent=&lt;agent&gt;,database=&lt;db&gt;,layer=pool,role=&lt;primary|replica-N&gt;
 * dev.dbagent:type=CircuitBreaker,agent=&lt;agent&gt;,database=&lt;db&gt;,layer=service
 * dev.dbagent:type=Service,agent=&lt;agent&gt;,database=&lt;db&gt;
 * dev.dbagent:type=Health,agent=&lt;agent&gt;
 * dev.dbagent:type=Operations,agent=&lt;agent&gt;,database=&lt;db&gt;
 * dev.dbagent.metrics:agent=&lt;agent&gt;,type=&lt;kind&gt;,name=&lt;metric&gt;
 * </pre>
 *
 * <p><b>Name parts are validated, never quoted.</b> An agent name, database name or metric kind
 * must match {@value #NAME_PART_REGEX}: ASCII letters, digits, {@code '.'}, {@code '_'} and
 * {@code '-'}, starting with a letter or digit. Anything else — in particular
 * {@code , = : " * ?}, whitespace, newlines, {@code /} and backslash — is rejected with an
 * {@link IllegalArgumentException} naming the part and the value. Rejecting rather than quoting
 * keeps every name typeable as-is in jmxterm and in a Jolokia URL path ({@code /} would need
 * Jolokia's {@code !/} escape; quotes need shell escaping), and keeps one spelling per bean, so
 * {@code ObjectName.equals} and the patterns below always match what was registered. Only metric
 * names, which come from code rather than configuration, are quoted when needed.
 *
 * <p>Roles are {@value #ROLE_PRIMARY} or {@code replica-N}, where N is the replica's index in
 * the configuration ({@code dbagent.db.<db>.replicas.<N>.*}), a non-negative integer without
 * leading zeros; see {@link #replicaRole(int)}.
 *
 * <p>The key order of each name is the order shown above, so {@link ObjectName#toString()} reads
 * as documented; {@link ObjectName#equals} ignores order anyway.
 *
 * <p>All methods are static, pure and thread-safe.
 */
public final class ObjectNames {

    /** The JMX domain of every dbagent bean except metrics. */
    public static final String DOMAIN = "dev.dbagent";
    /** The JMX domain the agent's Dropwizard {@code JmxReporter} registers metrics under. */
    public static final String METRICS_DOMAIN = "dev.dbagent.metrics";

    /** Key property naming the kind of bean; its values are the {@code TYPE_*} constants. */
    public static final String KEY_TYPE = "type";
    /** Key property naming the agent instance. Present on every dbagent bean. */
    public static final String KEY_AGENT = "agent";
    /** Key property naming the configured (logical) database. */
    public static final String KEY_DATABASE = "database";
    /** Key property naming a pool's role: {@value #ROLE_PRIMARY} or {@code replica-N}. */
    public static final String KEY_ROLE = "role";
    /** Key property naming a breaker's layer: {@value #LAYER_POOL} or {@value #LAYER_SERVICE}. */
    public static final String KEY_LAYER = "layer";
    /** Key property naming a metric (metrics domain only). */
    public static final String KEY_NAME = "name";

    /** {@code type} of the {@link AgentMXBean}. */
    public static final String TYPE_AGENT = "Agent";
    /** {@code type} of a {@link PoolMXBean}. */
    public static final String TYPE_POOL = "Pool";
    /** {@code type} of a {@link CircuitBreakerMXBean}. */
    public static final String TYPE_CIRCUIT_BREAKER = "CircuitBreaker";
    /** {@code type} of a {@link ServiceMXBean}. */
    public static final String TYPE_SERVICE = "Service";
    /** {@code type} of the {@link HealthMXBean}. */
    public static final String TYPE_HEALTH = "Health";
    /** {@code type} of the {@link OperationsMXBean}. */
    public static final String TYPE_OPERATIONS = "Operations";

    /** The role of a database's primary (read-write) pool. */
    public static final String ROLE_PRIMARY = "primary";
    /** Prefix of a replica role; the full role is {@code replica-N}, N the replica's configuration index. */
    public static final String ROLE_REPLICA_PREFIX = "replica-";
    /** Layer of a breaker that guards connection acquisition from one pool. */
    public static final String LAYER_POOL = "pool";
    /** Layer of a breaker that guards a database's service calls (reads, writes, transactions). */
    public static final String LAYER_SERVICE = "service";

    /** What an agent name, database name or metric kind must match. */
    public static final String NAME_PART_REGEX = "[A-Za-z0-9][A-Za-z0-9._-]*";

    private static final String AGENT_NAME = "agent name";
    private static final String DATABASE_NAME = "database name";
    private static final Pattern NAME_PART = Pattern.compile(NAME_PART_REGEX);
    private static final Pattern ROLE = Pattern.compile("primary|replica-(0|[1-9][0-9]*)");

    private ObjectNames() {
    }

    /**
     * The name of an agent's {@link AgentMXBean}: {@code dev.dbagent:type=Agent,agent=<agent>}.
     *
     * @param agent the agent name
     * @return the name
     * @throws IllegalArgumentException if {@code agent} is not a valid name part
     */
    public static ObjectName agent(String agent) {
        return name(DOMAIN + ":type=" + TYPE_AGENT + ",agent=" + checkNamePart(AGENT_NAME, agent));
    }

    /**
     * The name of one pool's {@link PoolMXBean}:
     * {@code dev.dbagent:type=Pool,agent=<agent>,database=<db>,role=<role>}.
     *
     * @param agent the agent name
     * @param database the configured database name
     * @param role {@value #ROLE_PRIMARY} or {@code replica-N}
     * @return the name
     * @throws IllegalArgumentException if a part is invalid
     */
    public static ObjectName pool(String agent, String database, String role) {
        return name(DOMAIN + ":type=" + TYPE_POOL
                + ",agent=" + checkNamePart(AGENT_NAME, agent)
                + ",database=" + checkNamePart(DATABASE_NAME, database)
                + ",role=" + checkRole(role));
    }

    /**
     * The name of the breaker guarding connection acquisition from one pool:
     * {@code dev.dbagent:type=CircuitBreaker,agent=<agent>,database=<db>,layer=pool,role=<role>}.
     * There is one per pool, hence the role.
     *
     * @param agent the agent name
     * @param database the configured database name
     * @param role {@value #ROLE_PRIMARY} or {@code replica-N}
     * @return the name
     * @throws IllegalArgumentException if a part is invalid
     */
    public static ObjectName poolBreaker(String agent, String database, String role) {
        return name(DOMAIN + ":type=" + TYPE_CIRCUIT_BREAKER
                + ",agent=" + checkNamePart(AGENT_NAME, agent)
                + ",database=" + checkNamePart(DATABASE_NAME, database)
                + ",layer=" + LAYER_POOL
                + ",role=" + checkRole(role));
    }

    /**
     * The name of the application-level breaker of one database:
     * {@code dev.dbagent:type=CircuitBreaker,agent=<agent>,database=<db>,layer=service}.
     *
     * @param agent the agent name
     * @param database the configured database name
     * @return the name
     * @throws IllegalArgumentException if a part is invalid
     */
    public static ObjectName serviceBreaker(String agent, String database) {
        return name(DOMAIN + ":type=" + TYPE_CIRCUIT_BREAKER
                + ",agent=" + checkNamePart(AGENT_NAME, agent)
                + ",database=" + checkNamePart(DATABASE_NAME, database)
                + ",layer=" + LAYER_SERVICE);
    }

    /**
     * The name of one database's {@link ServiceMXBean}:
     * {@code dev.dbagent:type=Service,agent=<agent>,database=<db>}.
     *
     * @param agent the agent name
     * @param database the configured database name
     * @return the name
     * @throws IllegalArgumentException if a part is invalid
     */
    public static ObjectName service(String agent, String database) {
        return name(DOMAIN + ":type=" + TYPE_SERVICE
                + ",agent=" + checkNamePart(AGENT_NAME, agent)
                + ",database=" + checkNamePart(DATABASE_NAME, database));
    }

    /**
     * The name of an agent's {@link HealthMXBean}: {@code dev.dbagent:type=Health,agent=<agent>}.
     *
     * @param agent the agent name
     * @return the name
     * @throws IllegalArgumentException if {@code agent} is not a valid name part
     */
    public static ObjectName health(String agent) {
        return name(DOMAIN + ":type=" + TYPE_HEALTH + ",agent=" + checkNamePart(AGENT_NAME, agent));
    }

    /**
     * The name of one database's {@link OperationsMXBean}:
     * {@code dev.dbagent:type=Operations,agent=<agent>,database=<db>}.
     *
     * @param agent the agent name
     * @param database the database name
     * @return the name
     * @throws IllegalArgumentException if a part is not a valid name part
     */
    public static ObjectName operations(String agent, String database) {
        return name(DOMAIN + ":type=" + TYPE_OPERATIONS + ",agent=" + checkNamePart(AGENT_NAME, agent)
                + ",database=" + checkNamePart(DATABASE_NAME, database));
    }

    /**
     * The name of one Dropwizard metric of an agent:
     * {@code dev.dbagent.metrics:agent=<agent>,type=<kind>,name=<metric>}. Meant for the agent's
     * {@code ObjectNameFactory}, so that {@link #metricsOfAgent(String)} finds them. The metric
     * name is used as-is when it is a valid unquoted value and quoted with
     * {@link ObjectName#quote(String)} otherwise.
     *
     * @param agent the agent name
     * @param kind the reporter's metric kind, e.g. {@code timers} or {@code gauges}
     * @param metricName the metric's registry name; not empty
     * @return the name
     * @throws IllegalArgumentException if {@code agent} or {@code kind} is invalid or
     *     {@code metricName} is null or empty
     */
    public static ObjectName metric(String agent, String kind, String metricName) {
        if (metricName == null || metricName.isEmpty()) {
            throw new IllegalArgumentException("metric name must not be empty, but was " + show(metricName));
        }
        return name(METRICS_DOMAIN
                + ":agent=" + checkNamePart(AGENT_NAME, agent)
                + ",type=" + checkNamePart("metric kind", kind)
                + ",name=" + quoteIfNeeded(metricName));
    }

    /**
     * Pattern matching every bean of one agent in {@value #DOMAIN} (not its metrics):
     * {@code dev.dbagent:agent=<agent>,*}. Used to unregister what an agent registered and to list
     * it with {@code MBeanServerConnection.queryNames}.
     *
     * @param agent the agent name
     * @return the pattern
     * @throws IllegalArgumentException if {@code agent} is not a valid name part
     */
    public static ObjectName allOfAgent(String agent) {
        return name(DOMAIN + ":agent=" + checkNamePart(AGENT_NAME, agent) + ",*");
    }

    /**
     * Pattern matching every metric of one agent: {@code dev.dbagent.metrics:agent=<agent>,*}.
     *
     * @param agent the agent name
     * @return the pattern
     * @throws IllegalArgumentException if {@code agent} is not a valid name part
     */
    public static ObjectName metricsOfAgent(String agent) {
        return name(METRICS_DOMAIN + ":agent=" + checkNamePart(AGENT_NAME, agent) + ",*");
    }

    /**
     * Pattern matching every bean of one type of one agent, e.g. all its pools:
     * {@code dev.dbagent:type=Pool,agent=<agent>,*}.
     *
     * @param type one of the {@code TYPE_*} constants
     * @param agent the agent name
     * @return the pattern
     * @throws IllegalArgumentException if {@code type} is not one of the {@code TYPE_*} constants
     *     or {@code agent} is not a valid name part
     */
    public static ObjectName ofType(String type, String agent) {
        if (!(TYPE_AGENT.equals(type) || TYPE_POOL.equals(type) || TYPE_CIRCUIT_BREAKER.equals(type)
                || TYPE_SERVICE.equals(type) || TYPE_HEALTH.equals(type) || TYPE_OPERATIONS.equals(type))) {
            throw new IllegalArgumentException("type must be one of Agent, Pool, CircuitBreaker, Service, Health,"
                    + " Operations, but was " + show(type));
        }
        return name(DOMAIN + ":type=" + type + ",agent=" + checkNamePart(AGENT_NAME, agent) + ",*");
    }

    /**
     * The role of the replica configured under {@code dbagent.db.<db>.replicas.<index>.*}:
     * {@code replicaRole(0)} is {@code "replica-0"}.
     *
     * @param index the replica's index in the configuration, {@code >= 0}
     * @return {@code "replica-" + index}
     * @throws IllegalArgumentException if {@code index < 0}
     */
    public static String replicaRole(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("replica index must be >= 0, but was " + index);
        }
        return ROLE_REPLICA_PREFIX + index;
    }

    /**
     * Checks a role value.
     *
     * @param role the role
     * @return {@code role}, unchanged
     * @throws IllegalArgumentException if {@code role} is neither {@value #ROLE_PRIMARY} nor
     *     {@code replica-N} with N a non-negative integer without leading zeros; the message
     *     names the value
     */
    public static String checkRole(String role) {
        if (role == null || !ROLE.matcher(role).matches()) {
            throw new IllegalArgumentException("role must be primary or replica-N (N >= 0, no leading zeros), but was " + show(role));
        }
        return role;
    }

    /**
     * Tells whether a value may be used as an agent name, database name or metric kind.
     *
     * @param value the candidate, may be null
     * @return true if it matches {@value #NAME_PART_REGEX}
     */
    public static boolean isValidNamePart(String value) {
        return value != null && NAME_PART.matcher(value).matches();
    }

    /**
     * Checks a name part. Configuration validation uses this to reject a bad agent or database
     * name up front, with the same message the factories would give.
     *
     * @param part what the value is, for the message, e.g. {@code "agent name"} or
     *     {@code "database name"}
     * @param value the value
     * @return {@code value}, unchanged
     * @throws IllegalArgumentException if {@code value} does not match {@value #NAME_PART_REGEX};
     *     the message names the part and shows the value with control characters escaped
     */
    public static String checkNamePart(String part, String value) {
        Objects.requireNonNull(part, "part");
        if (!isValidNamePart(value)) {
            throw new IllegalArgumentException(part + " must match " + NAME_PART_REGEX
                    + " (letters, digits, '.', '_', '-'; no ',', '=', ':', '\"', '*', '?', whitespace or newline),"
                    + " but was " + show(value));
        }
        return value;
    }

    private static String quoteIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\\'
                    || Character.isISOControl(c)) {
                return ObjectName.quote(value);
            }
        }
        return value;
    }

    /** Renders a value for an error message so that newlines and other controls stay visible. */
    private static String show(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            // unreachable: every part was validated or quoted above
            throw new IllegalStateException("built a malformed ObjectName: " + name, e);
        }
    }
}
