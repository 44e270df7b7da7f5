package dev.dbagent.internal.jmx;

import dev.dbagent.mbeans.AgentMXBean;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * {@link AgentMXBean}: who the agent is and how long it has run. Immutable apart from the clock;
 * thread-safe.
 */
final class AgentMXBeanAdapter implements AgentMXBean {
    /** What {@link #getVersion()} says when the jar's manifest carries no version (e.g. in an IDE). */
    static final String UNKNOWN_VERSION = "unknown";
    private static final String VERSION = version();

    private final String name;
    private final String instance;
    private final String environment;
    private final Instant startedAt;
    private final List<String> databases;
    private final Clock clock;

    /**
     * @param name the agent name
     * @param environment the environment key, e.g. {@code test}
     * @param startedAt when the agent started
     * @param databases configured database names, in configuration order
     * @param clock the agent's clock, for the uptime
     */
    AgentMXBeanAdapter(String name, String environment, Instant startedAt, List<String> databases, Clock clock) {
        this(name, "", environment, startedAt, databases, clock);
    }

    /**
     * @param name the agent name
     * @param instance the agent's instance id
     * @param environment the environment key, e.g. {@code test}
     * @param startedAt when the agent started
     * @param databases configured database names, in configuration order
     * @param clock the agent's clock, for the uptime
     */
    AgentMXBeanAdapter(String name, String instance, String environment, Instant startedAt, List<String> databases,
            Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.instance = Objects.requireNonNull(instance, "instance");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
        this.databases = List.copyOf(databases);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @return the build's version (from {@code dev/dbagent/version.properties}, filled in by
     *     Maven), or {@value #UNKNOWN_VERSION}
     */
    static String version() {
        try (java.io.InputStream in = AgentMXBeanAdapter.class.getResourceAsStream("/dev/dbagent/version.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isBlank() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (java.io.IOException e) {
            // fall through to the manifest
        }
        String v = AgentMXBeanAdapter.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? UNKNOWN_VERSION : v;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getInstance() {
        return instance;
    }

    @Override
    public String getEnvironment() {
        return environment;
    }

    @Override
    public String getVersion() {
        return VERSION;
    }

    @Override
    public long getUptimeMillis() {
        return Math.max(0, clock.millis() - startedAt.toEpochMilli());
    }

    @Override
    public String getStartedAt() {
        return Iso.of(startedAt);
    }

    @Override
    public String[] getDatabases() {
        return databases.toArray(new String[0]);
    }

    @Override
    public String toString() {
        return "AgentMXBeanAdapter[" + name + "]";
    }
}
