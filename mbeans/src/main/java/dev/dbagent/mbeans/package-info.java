/**
 * The dbagent management contract: the names, MXBean interfaces, data classes and notification
 * types through which a running {@code dbagent} agent is observed and operated over JMX.
 *
 * <p>This package depends on nothing but {@code java.management}, so a remote client (a script, a
 * dashboard, a test) compiles against the {@code dbagent-mbeans} jar alone. Generic clients —
 * JConsole, VisualVM, jmxterm, Jolokia — need not even that: every attribute, operation result
 * and notification payload is an open type (primitives, {@code String}, arrays, and
 * {@link javax.management.openmbean.CompositeData} built from the getter classes here). There are
 * no {@code Map} attributes and no writable attributes; live changes are explicit operations.
 *
 * <h2>The tree</h2>
 * <ul>
 *   <li>{@link dev.dbagent.mbeans.ObjectNames} builds and validates every name; see it for the
 *       exact grammar and for the patterns that select one agent's beans.</li>
 *   <li>{@link dev.dbagent.mbeans.AgentMXBean}, {@link dev.dbagent.mbeans.PoolMXBean},
 *       {@link dev.dbagent.mbeans.CircuitBreakerMXBean}, {@link dev.dbagent.mbeans.ServiceMXBean},
 *       {@link dev.dbagent.mbeans.HealthMXBean} and {@link dev.dbagent.mbeans.OperationsMXBean}
 *       are the beans an agent registers.</li>
 *   <li>{@link dev.dbagent.mbeans.Notifications} defines the notification types and their
 *       {@code userData}.</li>
 * </ul>
 *
 * <h2>Conventions every implementation follows</h2>
 * <ul>
 *   <li>Instants are ISO-8601 strings in UTC ({@link java.time.Instant#toString()}), or
 *       {@code ""} when the event has not happened yet. Durations are {@code long} milliseconds
 *       unless the attribute name says otherwise.</li>
 *   <li>No value read over JMX contains a password. JDBC URLs have their credentials masked; SQL
 *       text has its parameter values redacted.</li>
 *   <li>Operations signal failure by throwing. Implementations throw only {@code java.*}
 *       exception types ({@link java.lang.IllegalStateException},
 *       {@link java.lang.IllegalArgumentException}, {@link java.lang.SecurityException},
 *       {@link java.lang.UnsupportedOperationException}) with a complete message and without a
 *       non-JDK cause, so a remote client without dbagent classes can deserialize the failure
 *       and {@code jmxterm -e} / Jolokia report it as an error.</li>
 *   <li>Attribute getters never block on the database: they read state the agent already holds.
 *       Operations may block (they say so) and are safe to call from several clients at once.</li>
 * </ul>
 */
package dev.dbagent.mbeans;
