package dev.dbagent.fleet;

import dev.dbagent.DatabaseAgent;
import dev.dbagent.config.AgentConfig;
import dev.dbagent.config.Environment;
import dev.dbagent.config.Secret;
import dev.dbagent.mbeans.ObjectNames;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * One copy of an application, in a JVM of its own as each copy of a real fleet runs: agent
 * {@code shop} with one database {@code main} (changelog {@code dev/dbagent/fleet/v2.xml}, not
 * migrated on start) and Jolokia on a free port, requiring user {@code operator}, with the policy
 * the project ships ({@code jmx-config/jolokia-access.xml}). Used by
 * {@link DbctlFleetTest}.
 *
 * <p>Arguments: instance id, JDBC URL, database user, and optionally {@code force-open} to force
 * the service breaker open after start (the agent then reports DOWN). The passwords come from the
 * environment ({@code FLEET_DB_PASSWORD}, {@code FLEET_JOLOKIA_PASSWORD}), never the command line.
 * Prints {@code jolokia-port <port>} once the agent runs, and stops the agent when its standard
 * input closes, so a test that dies takes its members with it.
 */
public final class FleetMember {

    private FleetMember() {
    }

    /**
     * Starts the member and blocks until standard input closes.
     *
     * @param args instance, JDBC URL, user, optional {@code force-open}
     * @throws Exception when the agent cannot start (the test sees the exit and the output)
     */
    public static void main(String[] args) throws Exception {
        String instance = args[0];
        String url = args[1];
        String user = args[2];
        boolean forceOpen = args.length > 3 && args[3].equals("force-open");
        String dbPassword = System.getenv().getOrDefault("FLEET_DB_PASSWORD", "");
        AgentConfig config = AgentConfig.builder().name("shop").environment(Environment.TEST)
                .set("dbagent.instance", instance)
                // three members of agent "shop" share the server: the connection budget expects them
                .set("dbagent.fleet.expectedInstances", 3)
                .database("main", d -> d.url(url).user(user).password(Secret.of(dbPassword))
                        .set("currentSchema", "shop")
                        // above the test default of 5: the health probes borrow up to 4 pooled connections
                        // at once, and 4 of 5 in use reads as a saturated pool (DEGRADED)
                        .set("pool.maxTotal", 10)
                        // three JVMs starting at once on a small shared machine make their first
                        // connections slowly; the test default (2 s) would open the pool breakers
                        .set("pool.maxWaitMillis", 15_000).migrateOnStart(false).changelog("dev/dbagent/fleet/v2.xml"))
                .set("dbagent.jolokia.enabled", true)
                .set("dbagent.jolokia.port", 0)
                .set("dbagent.jolokia.auth", true)
                .set("dbagent.jolokia.user", "operator")
                .set("dbagent.jolokia.password", Secret.of(System.getenv("FLEET_JOLOKIA_PASSWORD")))
                // the shipped policy: loopback clients, dbctl's Origin http://127.0.0.1
                .set("dbagent.jolokia.policyFile",
                        Path.of("..", "jmx-config", "jolokia-access.xml").toAbsolutePath().normalize())
                .build();
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        try (DatabaseAgent agent = DatabaseAgent.builder(config).start()) {
            // every breaker transition, with its cause, into the member's log
            for (ObjectName breaker : mbeans.queryNames(new ObjectName("dev.dbagent:type=CircuitBreaker,*"), null)) {
                mbeans.addNotificationListener(breaker, (n, handback) -> System.out.println(
                        "breaker " + n.getSource() + ": " + n.getMessage()), null, null);
            }
            // A cold JVM on a busy machine can take longer than a check's deadline for its first
            // Liquibase parse or login, and such a check reads as hung (DOWN) until it returns: the
            // member announces itself once it is no longer DOWN, as a warmed-up copy would.
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            String report = "";
            while (System.nanoTime() < until) {
                report = (String) mbeans.invoke(ObjectNames.health("shop"), "runNow", new Object[0], new String[0]);
                if (!"DOWN".equals(mbeans.getAttribute(ObjectNames.health("shop"), "Status"))) {
                    break;
                }
                Thread.sleep(500);
            }
            System.out.println("warmed up: " + report.lines().findFirst().orElse(""));
            if (forceOpen) {
                mbeans.invoke(ObjectNames.serviceBreaker("shop", "main"),
                        "forceOpen", new Object[0], new String[0]);
            }
            System.out.println("jolokia-port " + agent.jolokiaUrl().orElseThrow().getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // the test keeps the pipe open while it needs this member
            }
        }
    }
}
