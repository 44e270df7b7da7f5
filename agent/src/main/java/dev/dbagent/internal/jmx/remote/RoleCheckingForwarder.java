package dev.dbagent.internal.jmx.remote;

import dev.dbagent.internal.jmx.access.AccessPolicy;
import dev.dbagent.internal.jmx.access.Role;
import dev.dbagent.internal.jmx.access.RolePrincipal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.InstanceNotFoundException;
import javax.management.IntrospectionException;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.QueryExp;
import javax.management.ReflectionException;
import javax.management.remote.MBeanServerForwarder;
import javax.security.auth.Subject;

/**
 * Puts {@link AccessPolicy} in front of the MBeanServer that the RMI connector serves: every
 * call a remote client makes is decided from the role in its authenticated {@link Subject}.
 *
 * <p>The JDK's access file grants {@code readwrite} on every MBean of the JVM (heap dumps,
 * diagnostic commands, logger levels); this forwarder replaces it. {@code getAttributes} returns
 * only the attributes the role may read, as the JMX contract allows for attributes that cannot
 * be read. Calls made without a subject are the connector's own (its notification buffer runs
 * them privileged); when the connector authenticates, they get metadata and in-process
 * listener registration only. Without authentication (development) callers get
 * {@code anonymousRole}. Stateless apart from the next MBeanServer; thread-safe.
 */
final class RoleCheckingForwarder implements InvocationHandler {

    private static final Set<String> METADATA = Set.of("getMBeanInfo", "queryNames", "queryMBeans", "isRegistered",
            "getMBeanCount", "getDefaultDomain", "getDomains", "isInstanceOf", "getObjectInstance",
            "getClassLoaderFor", "getClassLoader", "getClassLoaderRepository");

    /** What the connector's own notification buffer queries with; it compares class names only. */
    private static final String INSTANCE_OF_QUERY = "javax.management.InstanceOfQueryExp";
    /**
     * The RMI connector's own notification buffer asks for every broadcaster with this query (an
     * instance-of test, no attribute read) on the first listener of a session; without
     * authentication it runs as the anonymous role.
     */
    private static final String BROADCASTER_QUERY = "com.sun.jmx.remote.internal.ArrayNotificationBuffer$BroadcasterQuery";

    private final AccessPolicy policy = AccessPolicy.get();
    private final Role anonymousRole;
    private MBeanServer next;

    private RoleCheckingForwarder(Role anonymousRole) {
        this.anonymousRole = anonymousRole;
    }

    /**
     * @param anonymousRole the role of callers without a subject when the connector does not
     *     authenticate; null when it does (then subject-less calls are the connector's own)
     * @return a forwarder to set with {@code JMXConnectorServer.setMBeanServerForwarder}
     */
    static MBeanServerForwarder create(Role anonymousRole) {
        return (MBeanServerForwarder) Proxy.newProxyInstance(MBeanServerForwarder.class.getClassLoader(),
                new Class<?>[] {MBeanServerForwarder.class}, new RoleCheckingForwarder(anonymousRole));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (name.equals("getMBeanServer") && args == null) {
            return next;
        }
        if (name.equals("setMBeanServer") && args != null && args.length == 1) {
            if (args[0] == null) {
                throw new IllegalArgumentException("null MBeanServer");
            }
            next = (MBeanServer) args[0];
            return null;
        }
        if (method.getDeclaringClass() == Object.class) {
            return switch (name) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "RoleCheckingForwarder[" + next + "]";
            };
        }
        if (next == null) {
            throw new IllegalStateException("MBeanServer not set");
        }
        Subject subject = Callers.currentSubject();
        Role role = subject == null ? anonymousRole : RolePrincipal.of(subject).orElse(null);
        boolean internal = subject == null && anonymousRole == null;

        switch (name) {
            case "getAttribute" -> policy.read(role, (ObjectName) args[0], (String) args[1]).orThrow();
            case "getAttributes" -> {
                return readable(role, (ObjectName) args[0], (String[]) args[1]);
            }
            case "setAttribute" -> policy.write(role, (ObjectName) args[0], ((Attribute) args[1]).getName()).orThrow();
            case "setAttributes" -> policy.write(role, (ObjectName) args[0], "attributes").orThrow();
            case "invoke" -> policy.invoke(role, (ObjectName) args[0], (String) args[1], (String[]) args[3],
                    info((ObjectName) args[0])).orThrow();
            case "addNotificationListener", "removeNotificationListener" -> {
                boolean listenerIsMBean = args.length > 1 && args[1] instanceof ObjectName;
                // a listener object can only be passed in-process: that is the connector's own buffer
                if (!(args.length > 1 && args[1] instanceof NotificationListener)) {
                    policy.listen(role, (ObjectName) args[0], listenerIsMBean).orThrow();
                }
            }
            case "queryNames", "queryMBeans" -> {
                if (!internal) {
                    policy.metadata(role).orThrow();
                    // an instance-of test (the connector's own broadcaster query) reads no attribute;
                    // any other expression is evaluated against this forwarder's checks
                    String kind = args[1] == null ? null : args[1].getClass().getName();
                    if (kind != null && !kind.equals(INSTANCE_OF_QUERY) && !kind.equals(BROADCASTER_QUERY)) {
                        return checkedQuery((MBeanServer) proxy, name.equals("queryMBeans"), (ObjectName) args[0],
                                (QueryExp) args[1]);
                    }
                }
            }
            default -> {
                if (METADATA.contains(name)) {
                    if (!internal) {
                        policy.metadata(role).orThrow();
                    }
                } else {
                    // createMBean, registerMBean, unregisterMBean, instantiate, deserialize, ...
                    policy.lifecycle(name).orThrow();
                }
            }
        }
        try {
            return method.invoke(next, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private AttributeList readable(Role role, ObjectName name, String[] attributes)
            throws InstanceNotFoundException, ReflectionException {
        policy.metadata(role).orThrow();
        String[] allowed = java.util.Arrays.stream(attributes)
                .filter(a -> policy.read(role, name, a).allowed()).toArray(String[]::new);
        return allowed.length == 0 ? new AttributeList() : next.getAttributes(name, allowed);
    }

    /**
     * A query expression reads attribute values: the MBeanServer would evaluate it without any
     * access check, an oracle for {@code SystemProperties} and the like. It is evaluated here
     * against this forwarder instead, so each attribute it reads is authorised for the caller;
     * a refused read makes the name not match.
     */
    @SuppressWarnings("deprecation")
    private Object checkedQuery(MBeanServer checking, boolean instances, ObjectName pattern, QueryExp query)
            throws InstanceNotFoundException {
        Set<ObjectName> matched = new java.util.LinkedHashSet<>();
        MBeanServer before = javax.management.QueryEval.getMBeanServer();
        try {
            for (ObjectName candidate : next.queryNames(pattern, null)) {
                try {
                    query.setMBeanServer(checking);
                    if (query.apply(candidate)) {
                        matched.add(candidate);
                    }
                } catch (Exception | LinkageError e) {
                    // refused or failed to evaluate: not a match, as the MBeanServer itself treats it
                }
            }
        } finally {
            query.setMBeanServer(before);
        }
        if (!instances) {
            return matched;
        }
        Set<javax.management.ObjectInstance> found = new java.util.LinkedHashSet<>();
        for (ObjectName n : matched) {
            try {
                found.add(next.getObjectInstance(n));
            } catch (InstanceNotFoundException gone) {
                // unregistered meanwhile
            }
        }
        return found;
    }

    private MBeanInfo info(ObjectName name) {
        try {
            return next.getMBeanInfo(name);
        } catch (InstanceNotFoundException | IntrospectionException | ReflectionException e) {
            return null;
        }
    }
}
