package dev.dbagent.mbeans;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.management.JMX;
import javax.management.MBeanOperationInfo;
import javax.management.NotificationEmitter;
import javax.management.StandardEmitterMBean;
import javax.management.StandardMBean;

/**
 * Registers an implementation of a contract interface as an MXBean whose
 * {@link MBeanOperationInfo#getImpact()} comes from the interface's {@link Impact} markings, so
 * that every client (JConsole, jmxterm {@code info}, Jolokia {@code list}) and the agent's own
 * access rules see the same decision.
 *
 * <pre>{@code
 * server.registerMBean(ContractMBean.of(new MyOperations(), OperationsMXBean.class), name);
 * }</pre>
 *
 * <p>A {@code StandardMBean} built with {@code isMXBean=true} keeps full MXBean behaviour (open
 * types, {@code CompositeData}); an implementation that is a {@link NotificationEmitter} is wrapped
 * in a {@link StandardEmitterMBean} so its listeners and notification metadata stay as they are.
 * Stateless and thread-safe.
 */
public final class ContractMBean {

    private ContractMBean() {
    }

    /**
     * Wraps an implementation for registration.
     *
     * @param <T> the contract type
     * @param implementation the bean
     * @param contract an MXBean interface whose every operation carries {@link Impact}
     * @return the bean to pass to {@code MBeanServer.registerMBean}
     * @throws IllegalArgumentException if {@code contract} is not an MXBean interface or one of its
     *     operations has no {@link Impact}; the message names them
     */
    public static <T> StandardMBean of(T implementation, Class<T> contract) {
        Objects.requireNonNull(implementation, "implementation");
        Objects.requireNonNull(contract, "contract");
        if (!JMX.isMXBeanInterface(contract)) {
            throw new IllegalArgumentException(contract.getName() + " is not an MXBean interface");
        }
        List<String> unmarked = unmarkedOperations(contract);
        if (!unmarked.isEmpty()) {
            throw new IllegalArgumentException(contract.getName() + ": operations without an @Impact decision: "
                    + unmarked);
        }
        if (implementation instanceof NotificationEmitter emitter) {
            return new Emitting<>(implementation, contract, emitter);
        }
        return new Plain<>(implementation, contract);
    }

    /**
     * The operations of an MXBean interface (methods that are not attribute getters or setters)
     * that carry no {@link Impact}.
     *
     * @param contract an MXBean interface
     * @return their names, e.g. {@code ["dropEverything()"]}; empty if every operation is marked
     */
    public static List<String> unmarkedOperations(Class<?> contract) {
        List<String> unmarked = new ArrayList<>();
        for (Method m : contract.getMethods()) {
            if (isOperation(m) && m.getAnnotation(Impact.class) == null) {
                unmarked.add(m.getName() + Arrays.toString(m.getParameterTypes()).replace('[', '(').replace(']', ')'));
            }
        }
        return unmarked;
    }

    /**
     * Whether a method of an MXBean interface is an operation rather than an attribute accessor,
     * by the same rules the JMX introspector applies.
     *
     * @param m an interface method
     * @return true for an operation
     */
    public static boolean isOperation(Method m) {
        String name = m.getName();
        int params = m.getParameterCount();
        Class<?> type = m.getReturnType();
        boolean getter = params == 0 && type != void.class
                && ((name.startsWith("get") && name.length() > 3)
                        || (name.startsWith("is") && name.length() > 2 && type == boolean.class));
        boolean setter = params == 1 && type == void.class && name.startsWith("set") && name.length() > 3;
        return !getter && !setter;
    }

    /**
     * The impact an interface declares for an operation, matched by name and parameter count (the
     * contract has no overloads of equal arity).
     *
     * @param contract the MXBean interface
     * @param info the operation as the MBean introspector described it
     * @return {@link MBeanOperationInfo#INFO} or {@link MBeanOperationInfo#ACTION}, or
     *     {@link MBeanOperationInfo#UNKNOWN} when the interface declares none
     */
    static int impactOf(Class<?> contract, MBeanOperationInfo info) {
        for (Method m : contract.getMethods()) {
            if (m.getName().equals(info.getName()) && m.getParameterCount() == info.getSignature().length) {
                Impact impact = m.getAnnotation(Impact.class);
                return impact == null ? MBeanOperationInfo.UNKNOWN : impact.value().code();
            }
        }
        return MBeanOperationInfo.UNKNOWN;
    }

    private static final class Plain<T> extends StandardMBean {
        private final Class<T> contract;

        Plain(T implementation, Class<T> contract) {
            super(implementation, contract, true);
            this.contract = contract;
        }

        @Override
        protected int getImpact(MBeanOperationInfo info) {
            return impactOf(contract, info);
        }
    }

    private static final class Emitting<T> extends StandardEmitterMBean {
        private final Class<T> contract;

        Emitting(T implementation, Class<T> contract, NotificationEmitter emitter) {
            super(implementation, contract, true, emitter);
            this.contract = contract;
        }

        @Override
        protected int getImpact(MBeanOperationInfo info) {
            return impactOf(contract, info);
        }
    }
}
