package dev.dbagent.mbeans;

/**
 * One running agent: who it is and what it manages. Registered as
 * {@code dev.dbagent:type=Agent,agent=<name>} ({@link ObjectNames#agent(String)}) while the
 * agent is started; unregistered on stop.
 *
 * <p>Read-only. Getters return the agent's current state without blocking and are safe to call
 * from any thread.
 */
public interface AgentMXBean {

    /** @return the agent's name, as in its ObjectNames */
    String getName();

    /**
     * @return this agent's instance id among the application's copies ({@code dbagent.instance},
     *     default {@code <host>:<pid>}), as in its connections' {@code application_name}
     *     {@code dbagent/<agent>/<instance>/<db>/<role>}, audit rows and notifications
     */
    String getInstance();

    /** @return the environment it runs in: {@code development}, {@code test}, {@code staging} or {@code production} */
    String getEnvironment();

    /** @return the dbagent version, e.g. {@code 0.1.0}; {@code "unknown"} if the jar carries none */
    String getVersion();

    /** @return milliseconds since the agent started */
    long getUptimeMillis();

    /** @return when the agent started, ISO-8601 UTC */
    String getStartedAt();

    /** @return the configured database names, in configuration order */
    String[] getDatabases();
}
