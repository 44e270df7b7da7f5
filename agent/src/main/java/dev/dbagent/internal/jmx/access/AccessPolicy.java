package dev.dbagent.internal.jmx.access;

import dev.dbagent.mbeans.ObjectNames;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The one authorisation decision for every remote management action, whichever door it came
 * through: the RMI connector ({@code RoleCheckingForwarder}) and Jolokia ({@code RoleRestrictor})
 * only translate their requests into these calls.
 *
 * <ul>
 *   <li><b>Read</b> an attribute: both roles, every attribute of {@code dev.dbagent} and
 *       {@code dev.dbagent.metrics} beans, and outside them only the JVM figures in
 *       {@link #FOREIGN_READS} (never {@code SystemProperties}, {@code InputArguments} or class
 *       paths).</li>
 *   <li><b>Invoke</b> an operation: only on {@code dev.dbagent} beans, decided by the impact the
 *       bean reports ({@link dev.dbagent.mbeans.Impact}): {@code INFO} for both roles,
 *       {@code ACTION} for {@code operator}; an operation with any other impact is refused to
 *       everyone, so a new operation cannot go out without a decision. Nothing outside
 *       {@code dev.dbagent} is invoked (no heap dumps, no diagnostic commands, no logger levels).</li>
 *   <li><b>Write</b> an attribute, <b>create</b>, <b>register</b> or <b>unregister</b> an MBean:
 *       refused to everyone (the contract has no writable attribute).</li>
 *   <li><b>Listen</b> to notifications: both roles, on {@code dev.dbagent} beans and on the
 *       MBeanServer delegate (registration events); an MBean as listener is refused.</li>
 *   <li><b>Metadata</b> (names, {@code MBeanInfo}, queries): both roles.</li>
 * </ul>
 *
 * <p>A caller without a role (a user missing from the access file) is refused everything.
 * Stateless and thread-safe.
 */
public final class AccessPolicy {

    /** The reads outside dbagent that both roles get: JVM health figures, nothing that leaks. */
    public static final Map<String, Set<String>> FOREIGN_READS = Map.of(
            "java.lang:type=Memory", Set.of("HeapMemoryUsage", "NonHeapMemoryUsage", "ObjectPendingFinalizationCount"),
            "java.lang:type=Threading", Set.of("ThreadCount", "PeakThreadCount", "DaemonThreadCount",
                    "TotalStartedThreadCount"),
            "java.lang:type=Runtime", Set.of("Uptime", "StartTime", "VmName", "VmVendor", "VmVersion", "SpecVersion"),
            "java.lang:type=OperatingSystem", Set.of("AvailableProcessors", "SystemLoadAverage", "ProcessCpuLoad",
                    "CpuLoad", "SystemCpuLoad", "ProcessCpuTime", "Arch", "Name", "Version"),
            "java.lang:type=ClassLoading", Set.of("LoadedClassCount", "TotalLoadedClassCount", "UnloadedClassCount"),
            "java.lang:type=GarbageCollector,*", Set.of("Name", "CollectionCount", "CollectionTime"),
            "JMImplementation:type=MBeanServerDelegate", Set.of("ImplementationName", "ImplementationVendor",
                    "ImplementationVersion", "SpecificationName", "SpecificationVendor", "SpecificationVersion"));

    private static final String METRICS_DOMAIN = ObjectNames.METRICS_DOMAIN;
    private static final String DOMAIN = "dev.dbagent";
    private static final ObjectName DELEGATE = name("JMImplementation:type=MBeanServerDelegate");

    private static final List<Map.Entry<ObjectName, Set<String>>> FOREIGN = FOREIGN_READS.entrySet().stream()
            .map(e -> Map.entry(name(e.getKey()), e.getValue())).toList();

    private static final AccessPolicy INSTANCE = new AccessPolicy();

    private AccessPolicy() {
    }

    /** @return the policy */
    public static AccessPolicy get() {
        return INSTANCE;
    }

    /**
     * Reading one attribute.
     *
     * @param role the caller's role, null for none
     * @param name the MBean
     * @param attribute the attribute
     * @return the decision
     */
    public Decision read(Role role, ObjectName name, String attribute) {
        if (role == null) {
            return noRole();
        }
        if (isDbagent(name) || name.getDomain().equals(METRICS_DOMAIN)) {
            return Decision.ALLOW;
        }
        for (Map.Entry<ObjectName, Set<String>> e : FOREIGN) {
            if (e.getKey().apply(name) && e.getValue().contains(attribute)) {
                return Decision.ALLOW;
            }
        }
        return Decision.refuse("access denied: attribute " + attribute + " of " + name
                + " is not readable remotely (only dbagent beans and the JVM figures the README lists)");
    }

    /**
     * Invoking one operation.
     *
     * @param role the caller's role, null for none
     * @param name the MBean
     * @param operation the operation name
     * @param signature the parameter types the caller gave, or null for "whichever overload"
     *     (Jolokia names the operation only); then every overload must be allowed
     * @param info the bean's metadata as registered, null if it is not registered
     * @return the decision
     */
    public Decision invoke(Role role, ObjectName name, String operation, String[] signature, MBeanInfo info) {
        if (role == null) {
            return noRole();
        }
        if (!isDbagent(name)) {
            return Decision.refuse("access denied: operations outside " + DOMAIN
                    + " are not invocable remotely (" + operation + " on " + name + ")");
        }
        if (info == null) {
            return Decision.refuse("access denied: " + name + " is not registered");
        }
        List<MBeanOperationInfo> matching = Arrays.stream(info.getOperations())
                .filter(o -> o.getName().equals(operation))
                .filter(o -> signature == null || sameSignature(o.getSignature(), signature))
                .toList();
        if (matching.isEmpty()) {
            return Decision.refuse("access denied: " + name + " has no operation " + operation);
        }
        for (MBeanOperationInfo o : matching) {
            int impact = o.getImpact();
            if (impact == MBeanOperationInfo.ACTION && role != Role.OPERATOR) {
                return Decision.refuse("access denied: " + operation + " changes state (impact ACTION) and needs"
                        + " the operator role; " + role.key() + " may run only operations that change nothing");
            }
            if (impact != MBeanOperationInfo.ACTION && impact != MBeanOperationInfo.INFO) {
                return Decision.refuse("access denied: " + operation + " on " + name
                        + " has no impact decision (INFO or ACTION) and is refused to every caller");
            }
        }
        return Decision.ALLOW;
    }

    /**
     * Writing an attribute: refused to everyone; the contract changes state through operations.
     *
     * @param role the caller's role
     * @param name the MBean
     * @param attribute the attribute
     * @return a refusal
     */
    public Decision write(Role role, ObjectName name, String attribute) {
        return Decision.refuse("access denied: attributes are not writable remotely (" + attribute + " of "
                + name + ")");
    }

    /**
     * Creating, registering or unregistering an MBean: refused to everyone.
     *
     * @param what {@code createMBean}, {@code registerMBean}, {@code unregisterMBean}, ...
     * @return a refusal
     */
    public Decision lifecycle(String what) {
        return Decision.refuse("access denied: " + what + " is not allowed remotely");
    }

    /**
     * Adding or removing a notification listener.
     *
     * @param role the caller's role, null for none
     * @param name the broadcaster
     * @param listenerIsMBean whether the listener is another MBean (given by name)
     * @return the decision
     */
    public Decision listen(Role role, ObjectName name, boolean listenerIsMBean) {
        if (role == null) {
            return noRole();
        }
        if (listenerIsMBean) {
            return Decision.refuse("access denied: an MBean cannot be registered as a notification listener remotely");
        }
        if (isDbagent(name) || DELEGATE.equals(name)) {
            return Decision.ALLOW;
        }
        return Decision.refuse("access denied: notifications outside " + DOMAIN + " are not available remotely ("
                + name + ")");
    }

    /**
     * Reading names and {@code MBeanInfo}: both roles.
     *
     * @param role the caller's role, null for none
     * @return the decision
     */
    public Decision metadata(Role role) {
        return role == null ? noRole() : Decision.ALLOW;
    }

    private static boolean isDbagent(ObjectName name) {
        return name.getDomain().equals(DOMAIN) && !name.isDomainPattern();
    }

    private static boolean sameSignature(MBeanParameterInfo[] declared, String[] given) {
        if (declared.length != given.length) {
            return false;
        }
        for (int i = 0; i < declared.length; i++) {
            if (!declared[i].getType().equals(given[i])) {
                return false;
            }
        }
        return true;
    }

    private static Decision noRole() {
        return Decision.refuse("access denied: the caller has no role (not in the access file)");
    }

    private static ObjectName name(String s) {
        try {
            return new ObjectName(s);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
