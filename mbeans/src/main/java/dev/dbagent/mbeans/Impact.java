package dev.dbagent.mbeans;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import javax.management.MBeanOperationInfo;

/**
 * What an MXBean operation does to the agent: the decision every operation of the contract must
 * carry. The agent reports it as {@link MBeanOperationInfo#getImpact()} when it registers the
 * bean, and its remote doors (RMI connector and Jolokia) authorise from it: the {@code monitor}
 * role may invoke {@link Kind#INFO} operations only, {@code operator} also {@link Kind#ACTION}
 * ones. An operation without this annotation is refused to every remote caller.
 *
 * <p>Mark an operation {@link Kind#INFO} only if it changes nothing an operator or the
 * application could observe: no database change, no pool or breaker state change, no token
 * issued. When in doubt it is an {@link Kind#ACTION}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Impact {

    /** @return what the operation does */
    Kind value();

    /** The two impacts the contract uses; the JMX codes are {@link MBeanOperationInfo}'s. */
    enum Kind {
        /** Reads or reports; changes nothing. Open to {@code monitor}. */
        INFO(MBeanOperationInfo.INFO),
        /** Changes the database or the agent's state. Open to {@code operator} only. */
        ACTION(MBeanOperationInfo.ACTION);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        /** @return the {@link MBeanOperationInfo#getImpact()} code for this kind */
        public int code() {
            return code;
        }
    }
}
