package dev.dbagent.internal.jmx;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import dev.dbagent.mbeans.ContractMBean;
import dev.dbagent.mbeans.ObjectNames;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMX;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers beans with one {@link MBeanServer} and remembers exactly the names it registered, so
 * that {@link #unregisterAll()} removes those and nothing else - never a pattern sweep that could
 * take another agent's or the application's beans with it.
 *
 * <p>Thread-safe: all methods are synchronized. Nothing blocks beyond the MBeanServer's own work.
 */
public final class MBeanRegistry {
    private final MBeanServer server;
    private final List<ObjectName> registered = new ArrayList<>();

    /**
     * @param server the MBeanServer to register with
     * @throws NullPointerException if {@code server} is null
     */
    public MBeanRegistry(MBeanServer server) {
        this.server = Objects.requireNonNull(server, "server");
    }

    /**
     * Registers a bean under a name and remembers the name.
     *
     * @param bean an MXBean implementation (or any compliant MBean)
     * @param name its name
     * @return {@code name}
     * @throws IllegalStateException if a bean is already registered under {@code name} (e.g. another
     *     agent with the same name uses this MBeanServer), or the server refuses the bean; the
     *     message names the ObjectName
     */
    public synchronized ObjectName register(Object bean, ObjectName name) {
        Objects.requireNonNull(bean, "bean");
        Objects.requireNonNull(name, "name");
        try {
            server.registerMBean(contractBean(bean), name);
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalStateException("cannot register " + name + ": a bean with this name is already"
                    + " registered (is another agent with the same name running against this MBeanServer?)");
        } catch (JMException e) {
            throw new IllegalStateException("cannot register " + name + ": " + e.getMessage(), e);
        }
        registered.add(name);
        return name;
    }

    /**
     * An implementation of a {@code dev.dbagent.mbeans} contract is registered through
     * {@link ContractMBean}, so its operations report the {@link dev.dbagent.mbeans.Impact} the
     * contract declares and the remote access rules can authorise from it.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object contractBean(Object bean) {
        for (Class<?> type = bean.getClass(); type != null; type = type.getSuperclass()) {
            for (Class<?> contract : type.getInterfaces()) {
                if (contract.getPackage() == ObjectNames.class.getPackage() && JMX.isMXBeanInterface(contract)) {
                    return ContractMBean.of(bean, (Class) contract);
                }
            }
        }
        return bean;
    }

    /** @return the names registered and not yet unregistered, in registration order */
    public synchronized List<ObjectName> registeredNames() {
        return List.copyOf(registered);
    }

    /**
     * Unregisters every name this registry registered, newest first. A bean someone else already
     * unregistered is skipped. Idempotent.
     *
     * @return how many beans were unregistered by this call
     */
    public synchronized int unregisterAll() {
        int count = 0;
        for (int i = registered.size() - 1; i >= 0; i--) {
            try {
                server.unregisterMBean(registered.get(i));
                count++;
            } catch (InstanceNotFoundException gone) {
                // unregistered behind our back; nothing left to do for it
            } catch (JMException e) {
                // MBeanRegistrationException from a preDeregister: the bean is still unregistered
                count++;
            }
        }
        registered.clear();
        return count;
    }

    @Override
    public synchronized String toString() {
        return "MBeanRegistry[" + registered.size() + " registered]";
    }
}
