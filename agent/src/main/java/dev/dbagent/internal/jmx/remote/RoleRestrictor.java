package dev.dbagent.internal.jmx.remote;

import dev.dbagent.internal.jmx.access.AccessPolicy;
import dev.dbagent.internal.jmx.access.Decision;
import dev.dbagent.internal.jmx.access.Role;
import dev.dbagent.internal.jmx.access.RolePrincipal;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.JMException;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.security.auth.Subject;

import org.jolokia.server.core.config.ConfigKey;
import org.jolokia.server.core.config.Configuration;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;

/**
 * Jolokia's restrictor: asks {@link AccessPolicy} about every MBean action Jolokia is about to
 * perform — each attribute of a read (also inside a bulk request or for a pattern), each exec —
 * with the role of the request's authenticated {@link Subject}. Jolokia calls it after it has
 * parsed the request, so how the request was spelled (GET path, repeated {@code p} parameters,
 * POST, bulk, upper-case type) does not matter: what runs is what is checked.
 *
 * <p>Request types: {@code read}, {@code list}, {@code search}, {@code version} and {@code exec}
 * (each exec decided per operation); {@code write} and {@code notification} are refused to
 * everyone. Client addresses and CORS origins come from the policy file when there is one
 * (its MBean rules are applied too, as a further limit). Jolokia instantiates this class by name
 * ({@link ConfigKey#RESTRICTOR_CLASS}); {@link JolokiaServer} registers the instance's state
 * under its agent id first. Thread-safe.
 */
public final class RoleRestrictor implements Restrictor {

    private static final Map<String, Setup> SETUPS = new ConcurrentHashMap<>();

    /** What one JolokiaServer needs its restrictor to know. */
    record Setup(Restrictor filePolicy, Role anonymousRole) {
    }

    private final AccessPolicy policy = AccessPolicy.get();
    private final Restrictor filePolicy;
    private final Role anonymousRole;

    /**
     * Called by Jolokia.
     *
     * @param config Jolokia's configuration; its agent id names the registered setup
     * @throws IllegalStateException if no setup was registered under the agent id
     */
    public RoleRestrictor(Configuration config) {
        Setup setup = SETUPS.get(Objects.requireNonNull(config.getConfig(ConfigKey.AGENT_ID), "agent id"));
        if (setup == null) {
            throw new IllegalStateException("no dbagent restrictor set up for Jolokia agent "
                    + config.getConfig(ConfigKey.AGENT_ID));
        }
        this.filePolicy = setup.filePolicy();
        this.anonymousRole = setup.anonymousRole();
    }

    static void register(String agentId, Setup setup) {
        SETUPS.put(agentId, setup);
    }

    static void unregister(String agentId) {
        SETUPS.remove(agentId);
    }

    private Role role() {
        Subject subject = Callers.currentSubject();
        return subject == null ? anonymousRole : RolePrincipal.of(subject).orElse(null);
    }

    @Override
    public boolean isHttpMethodAllowed(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.POST;
    }

    @Override
    public boolean isTypeAllowed(RequestType type) {
        return switch (type) {
            case READ, LIST, SEARCH, VERSION, EXEC -> policy.metadata(role()).allowed()
                    && (filePolicy == null || filePolicy.isTypeAllowed(type));
            default -> false;
        };
    }

    @Override
    public boolean isAttributeReadAllowed(ObjectName name, String attribute) {
        return policy.read(role(), name, attribute).allowed()
                && (filePolicy == null || filePolicy.isAttributeReadAllowed(name, attribute));
    }

    @Override
    public boolean isAttributeWriteAllowed(ObjectName name, String attribute) {
        return false;
    }

    @Override
    public boolean isOperationAllowed(ObjectName name, String operation) {
        // Jolokia passes "op" or "op(type1,type2)" as the client wrote it
        int paren = operation.indexOf('(');
        String op = paren < 0 ? operation : operation.substring(0, paren);
        String[] signature = null;
        if (paren >= 0 && operation.endsWith(")")) {
            String inner = operation.substring(paren + 1, operation.length() - 1).strip();
            signature = inner.isEmpty() ? new String[0] : inner.split("\\s*,\\s*");
        }
        Decision decision = policy.invoke(role(), name, op, signature, info(name));
        return decision.allowed() && (filePolicy == null || filePolicy.isOperationAllowed(name, op));
    }

    @Override
    public boolean isRemoteAccessAllowed(String... hostOrAddress) {
        return filePolicy == null || filePolicy.isRemoteAccessAllowed(hostOrAddress);
    }

    /**
     * A request without an origin is a tool (curl, dbctl, a monitoring agent): browsers are
     * stopped earlier by {@link JolokiaGate}, which looks at every header. An origin must be one
     * the policy file allows; without a policy file no browser origin is.
     */
    @Override
    public boolean isOriginAllowed(String origin, boolean onlyWhenStrictCheckingIsEnabled) {
        if (origin == null || origin.isEmpty()) {
            return true;
        }
        // Jolokia hands over the whole Referer when there is no Origin: compare its origin part
        String bare = JolokiaGate.originOf(origin);
        return filePolicy != null && filePolicy.isOriginAllowed(bare == null ? origin : bare, false);
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return false;
    }

    @Override
    public boolean ignoreScheme() {
        return filePolicy != null && filePolicy.ignoreScheme();
    }

    /** Jolokia serves the platform MBeanServer and every one made by MBeanServerFactory. */
    private static MBeanInfo info(ObjectName name) {
        List<MBeanServer> servers = new ArrayList<>();
        servers.add(ManagementFactory.getPlatformMBeanServer());
        servers.addAll(MBeanServerFactory.findMBeanServer(null));
        for (MBeanServer server : servers) {
            if (server.isRegistered(name)) {
                try {
                    return server.getMBeanInfo(name);
                } catch (JMException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
